package app

import "github.com/twinstudio/twinstudio/examples"

// SmartOfficeScenario is the week scenario of the Smart Office example,
// relative to the folder InstallSmartOffice fills.
const SmartOfficeScenario = "week.yaml"

// InstallSmartOffice installs the Smart Office example embedded in the
// binary into dir as InstallExample does, and returns its project path.
func InstallSmartOffice(dir string) (projectPath string, err error) {
	return InstallExample(examples.SmartOffice, dir)
}
