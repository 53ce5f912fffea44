package main

import "fmt"

type completionCmd struct {
	Shell string `arg:"" enum:"bash,zsh,fish" name:"SHELL" help:"bash, zsh or fish."`
}

// Help says how to install the script.
func (c *completionCmd) Help() string {
	return "bash: source <(twin completion bash), or save it in ~/.local/share/bash-completion/completions/twin\n" +
		"zsh:  source <(twin completion zsh) in ~/.zshrc\n" +
		"fish: twin completion fish > ~/.config/fish/completions/twin.fish"
}

func (c *completionCmd) Run(e *env) error {
	return fmt.Errorf("not yet")
}
