package dtdl

import "testing"

func TestSegment(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"Room", "Room"},
		{"Conference Room 11", "Conference_Room_11"},
		{"3DLab", "x3DLab"},
		{"  spaced  out  ", "spaced_out"},
		{"_x_", "x"},
		{"a__b", "a__b"},
		{"Café-Bar", "Caf_Bar"},
		{"", "x"},
		{"!!!", "x"},
		{"日本", "x"},
	} {
		if got := Segment(tc.in); got != tc.want || !ValidName(got) {
			t.Errorf("Segment(%q) = %q, want %q (valid)", tc.in, got, tc.want)
		}
	}
}

func TestNamerUnique(t *testing.T) {
	n := newNamer(8, "name")
	var got []string
	for _, s := range []string{"Name", "a b", "a-b", "A_B", "VeryLongName1", "VeryLongName2"} {
		got = append(got, n.name(s))
	}
	want := []string{"Name_2", "a_b", "a_b_2", "A_B_3", "VeryLong", "VeryLong_2"}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("names %q, want %q", got, want)
			break
		}
	}
}

func TestValidDTMI(t *testing.T) {
	for _, tc := range []struct {
		in string
		ok bool
	}{
		{"dtmi:twinstudio:Space;1", true},
		{"dtmi:com:example:Thermostat;12", true},
		{"dtmi:a_b:C1;3.2", true},
		{"dtmi:x;1", true},
		{"dtmi:twinstudio:Space", false},
		{"dtmi:twinstudio:Space;0", false},
		{"dtmi:twinstudio:1Space;1", false},
		{"dtmi:twinstudio:Space_;1", false},
		{"dtmi::Space;1", false},
		{"DTMI:x;1", false},
		{"dtmi:x;1;", false},
		{"dtmi:x y;1", false},
		{"", false},
	} {
		if got := ValidDTMI(tc.in); got != tc.ok {
			t.Errorf("ValidDTMI(%q) = %v", tc.in, got)
		}
	}
}
