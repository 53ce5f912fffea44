package engine

// ChildSpaceType is the space type a new space under a space of type
// parent most likely has, by the names of the default ontology: a venue in
// a tenant, a floor in a building, a room on a floor, a desk in a room; a
// building at the top (parent ""). Editors offer it as the default; it is
// only a suggestion and may name a type the project has not enabled.
func ChildSpaceType(parent string) string {
	switch parent {
	case "":
		return "Building"
	case "Tenant", "Customer", "Region":
		return "Venue"
	case "Campus":
		return "Building"
	case "Venue", "Building":
		return "Floor"
	case "Floor":
		return "Room"
	case "Room", "Area", "Zone":
		return "Desk"
	case "Parking", "Garden", "Greenhouse", "Field", "Outdoor":
		return "Zone"
	}
	return "Room"
}
