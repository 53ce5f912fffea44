package engine

// WalkSpaces walks the whole space tree depth first in tree order: the root
// spaces as Roots lists them, each followed by the spaces under it (siblings
// in ChildSpaces order). It calls enter for a space before the spaces under
// it and, when leave is not nil, leave after them. It stops at the first
// error enter or leave returns, and returns it.
//
// fn may read v but must not change the space tree while the walk runs
// (a Tx may create devices and sensors in it).
func (v *View) WalkSpaces(enter, leave func(s *Space) error) error {
	return v.walkSpaces(v.Roots(), enter, leave)
}

func (v *View) walkSpaces(list []*Space, enter, leave func(s *Space) error) error {
	for _, s := range list {
		if err := enter(s); err != nil {
			return err
		}
		if err := v.walkSpaces(v.ChildSpaces(s.ID), enter, leave); err != nil {
			return err
		}
		if leave != nil {
			if err := leave(s); err != nil {
				return err
			}
		}
	}
	return nil
}

// RootSpace is the root space above space id (id itself for a root space),
// or id when there is no such space.
func (v *View) RootSpace(id ID) ID {
	root := id
	for {
		s, ok := v.Space(root)
		if !ok || s.ParentID.IsZero() {
			return root
		}
		root = s.ParentID
	}
}
