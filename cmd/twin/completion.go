package main

import (
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/alecthomas/kong"
)

type completionCmd struct {
	Shell string `arg:"" enum:"bash,zsh,fish" name:"SHELL" help:"bash, zsh or fish."`
}

// Help says how to install the script.
func (c *completionCmd) Help() string {
	return "bash: source <(twin completion bash) in ~/.bashrc, or save it as ~/.local/share/bash-completion/completions/twin\n" +
		"zsh:  source <(twin completion zsh) in ~/.zshrc\n" +
		"fish: twin completion fish > ~/.config/fish/completions/twin.fish"
}

func (c *completionCmd) Run(e *env) error {
	m := completionModel(e.model.Node)
	if c.Shell == "fish" {
		m.writeFish(e.stdout)
		return nil
	}
	if c.Shell == "zsh" {
		fmt.Fprintln(e.stdout, "# twin completion for zsh (through bash completion)\nautoload -U +X compinit && compinit\nautoload -U +X bashcompinit && bashcompinit")
	}
	m.writeBash(e.stdout)
	return nil
}

// compCommand is one command of the completion scripts: its words
// ("udf list"), subcommands and flags.
type compCommand struct {
	path  string
	help  string
	subs  []string
	flags []compFlag
}

type compFlag struct {
	names []string // --output, -o
	help  string
	value bool     // takes a value
	enum  []string // its values, if an enum
	file  bool     // a file name (--project)
}

// completionModel lists the commands of the tree under n, depth first.
func completionModel(n *kong.Node) compModel {
	var m compModel
	var walk func(n *kong.Node, path string)
	walk = func(n *kong.Node, path string) {
		c := compCommand{path: path, help: n.Help}
		for _, ch := range n.Children {
			if ch.Type == kong.CommandNode && !ch.Hidden {
				c.subs = append(c.subs, ch.Name)
			}
		}
		for _, group := range n.AllFlags(true) {
			for _, f := range group {
				cf := compFlag{names: []string{"--" + f.Name}, help: f.Help, value: !f.IsBool(), file: f.Name == "project"}
				if f.Short != 0 {
					cf.names = append(cf.names, "-"+string(f.Short))
				}
				if f.Enum != "" {
					cf.enum = slices.DeleteFunc(f.EnumSlice(), func(s string) bool { return s == "" })
				}
				c.flags = append(c.flags, cf)
			}
		}
		m = append(m, c)
		for _, ch := range n.Children {
			if ch.Type == kong.CommandNode && !ch.Hidden {
				walk(ch, strings.TrimSpace(path+" "+ch.Name))
			}
		}
	}
	walk(n, "")
	return m
}

type compModel []compCommand

// valueFlags are the flags that take a value, for the scripts to skip it.
func (m compModel) valueFlags() []string {
	var out []string
	for _, c := range m {
		for _, f := range c.flags {
			for _, n := range f.names {
				if f.value && !slices.Contains(out, n) {
					out = append(out, n)
				}
			}
		}
	}
	return out
}

func (m compModel) paths() []string {
	var out []string
	for _, c := range m[1:] {
		out = append(out, "'"+c.path+"'")
	}
	return out
}

// writeBash writes a bash completion function with the commands, flags
// and enum values of the tree.
func (m compModel) writeBash(w io.Writer) {
	fmt.Fprintf(w, `# twin completion for bash: source <(twin completion bash)
_twin_path() {
  local path="" w i skip=0
  for ((i=1; i<COMP_CWORD; i++)); do
    w="${COMP_WORDS[i]}"
    if ((skip)); then skip=0; continue; fi
    case "$w" in
      -*=*) ;;
      -*) case " %s " in *" $w "*) skip=1 ;; esac ;;
      *) case " %s " in *" '${path:+$path }$w' "*) path="${path:+$path }$w" ;; esac ;;
    esac
  done
  printf '%%s' "$path"
}
_twin() {
  local cur="${COMP_WORDS[COMP_CWORD]}" prev="${COMP_WORDS[COMP_CWORD-1]}" path words=""
  path="$(_twin_path)"
  case "$path|$prev" in
`, strings.Join(m.valueFlags(), " "), strings.Join(m.paths(), " "))
	for _, c := range m {
		for _, f := range c.flags {
			if !f.value {
				continue
			}
			pat := make([]string, len(f.names))
			for i, n := range f.names {
				pat[i] = fmt.Sprintf("%q", c.path+"|"+n)
			}
			switch {
			case len(f.enum) > 0:
				fmt.Fprintf(w, "    %s) COMPREPLY=($(compgen -W %q -- \"$cur\")); return 0 ;;\n", strings.Join(pat, "|"), strings.Join(f.enum, " "))
			case f.file:
				fmt.Fprintf(w, "    %s) COMPREPLY=($(compgen -f -X '!*.twin' -- \"$cur\") $(compgen -d -- \"$cur\")); return 0 ;;\n", strings.Join(pat, "|"))
			default:
				fmt.Fprintf(w, "    %s) COMPREPLY=($(compgen -f -- \"$cur\")); return 0 ;;\n", strings.Join(pat, "|"))
			}
		}
	}
	fmt.Fprint(w, "  esac\n  case \"$path\" in\n")
	for _, c := range m {
		var words []string
		words = append(words, c.subs...)
		for _, f := range c.flags {
			words = append(words, f.names[0])
		}
		fmt.Fprintf(w, "    %q) words=%q ;;\n", c.path, strings.Join(words, " "))
	}
	fmt.Fprint(w, `  esac
  if [[ "$cur" == -* || -n "$words" ]]; then
    COMPREPLY=($(compgen -W "$words" -- "$cur"))
  fi
  [[ ${#COMPREPLY[@]} -gt 0 || "$cur" == -* ]] || COMPREPLY=($(compgen -f -- "$cur"))
}
complete -F _twin twin
`)
}

// writeFish writes fish completions with the commands, flags and enum
// values of the tree.
func (m compModel) writeFish(w io.Writer) {
	fmt.Fprintf(w, `# twin completion for fish: twin completion fish > ~/.config/fish/completions/twin.fish
function __twin_path
    set -l words (commandline -opc)
    set -e words[1]
    set -l path ""
    set -l skip 0
    for w in $words
        if test $skip = 1
            set skip 0
            continue
        end
        if string match -q -- '-*=*' $w
            continue
        else if string match -q -- '-*' $w
            contains -- $w %s; and set skip 1
            continue
        end
        set -l cand (string trim -- "$path $w")
        contains -- $cand %s; and set path $cand
    end
    echo $path
end
complete -c twin -f
`, strings.Join(m.valueFlags(), " "), strings.Join(m.paths(), " "))
	quote := func(s string) string { return "'" + strings.ReplaceAll(s, "'", `\'`) + "'" }
	for _, c := range m {
		cond := quote(fmt.Sprintf("test (__twin_path | string collect -a) = %q", c.path))
		for _, s := range m {
			if s.path != "" && strings.TrimSpace(c.path+" "+lastWord(s.path)) == s.path {
				fmt.Fprintf(w, "complete -c twin -n %s -a %s -d %s\n", cond, quote(lastWord(s.path)), quote(firstSentence(s.help)))
			}
		}
		for _, f := range c.flags {
			line := fmt.Sprintf("complete -c twin -n %s -l %s", cond, strings.TrimPrefix(f.names[0], "--"))
			if len(f.names) > 1 {
				line += " -s " + strings.TrimPrefix(f.names[1], "-")
			}
			switch {
			case len(f.enum) > 0:
				line += " -x -a " + quote(strings.Join(f.enum, " "))
			case f.value:
				line += " -r -F"
			}
			fmt.Fprintln(w, line+" -d "+quote(firstSentence(f.help)))
		}
	}
}

func lastWord(path string) string { return path[strings.LastIndex(path, " ")+1:] }

// firstSentence is a help text's first sentence, for the descriptions.
func firstSentence(s string) string {
	if i := strings.Index(s, ". "); i >= 0 {
		s = s[:i]
	}
	return strings.TrimSuffix(s, ".")
}
