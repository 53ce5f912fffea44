package bench

import (
	"strings"
	"testing"
)

// TestPlanRow: plan_500_rooms_ms gives one positive time against its
// frame budget, naming its size.
func TestPlanRow(t *testing.T) {
	rows, err := collect("plan_500_rooms_ms", small(t))
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 1 || rows[0].Name != "plan_500_rooms_ms" || !(rows[0].Value > 0) || rows[0].Target != "< 33" ||
		!strings.Contains(rows[0].Note, "500 rooms") {
		t.Fatalf("rows %+v", rows)
	}
	t.Logf("%s = %.2f ms (%s)", rows[0].Name, rows[0].Value, rows[0].Note)
}
