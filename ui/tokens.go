package ui

import (
	"errors"
	"fmt"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/twinstudio/twinstudio/engine"
)

// The Access tab's Tokens panel: bearer tokens for programs and people
// that use the REST API or the broker as a principal. A new token's
// secret shows once, in a dialog with a Copy button; the list shows the
// tokens' names, principals and dates, never a secret (the project keeps
// only its hash).

// tokenLifetimes are the Create token dialog's choices of expiry.
var tokenLifetimes = []struct {
	text string
	d    time.Duration // 0: never
}{
	{"never", 0},
	{"1 day", 24 * time.Hour},
	{"30 days", 30 * 24 * time.Hour},
	{"90 days", 90 * 24 * time.Hour},
	{"1 year", 365 * 24 * time.Hour},
}

func (t *accessTab) tokenPanel() fyne.CanvasObject {
	var body fyne.CanvasObject
	t.tokList, body = table([]string{"Name", "Principal", "Created", "Expires", "Revoked"}, columns{3, 4, 3, 3, 3},
		func() int { return len(t.tokens) },
		func(i int) []string { return tokenCells(t.tokens[i]) },
		func(i int) { t.tokSel = i })
	add := widget.NewButtonWithIcon("Create token…", theme.ContentAddIcon(), t.showCreateToken)
	revoke := widget.NewButtonWithIcon("Revoke", theme.CancelIcon(), func() {
		if k := t.selectedToken(); k != nil {
			t.confirm("Revoke "+k.Name+"?", "Programs using it are refused from now on.",
				func() { t.sh.act(t.app.RevokeToken(k.ID.String())); t.edited() })
		}
	})
	remove := widget.NewButtonWithIcon("Delete", theme.DeleteIcon(), func() {
		if k := t.selectedToken(); k != nil {
			t.confirm("Delete "+k.Name+"?", "Programs using it are refused from now on.",
				func() { t.sh.act(t.app.DeleteToken(k.ID.String())); t.edited() })
		}
	})
	return panel("Bearer tokens let a program or person use the REST API and the broker as a principal. "+
		"A token's secret shows once, when it is made; the project keeps only its hash.", body, add, revoke, remove)
}

// tokenCells are token k's row: name, principal, created, expires,
// revoked. Never its secret or hash.
func tokenCells(k *engine.Token) []string {
	expires, revoked := "never", ""
	if !k.Expires.IsZero() {
		expires = tokenTime(k.Expires)
	}
	if !k.Revoked.IsZero() {
		revoked = tokenTime(k.Revoked)
	}
	return []string{k.Name, principalText(k.Principal), tokenTime(k.Created), expires, revoked}
}

// tokenTime is how the token list shows a time: local, to the minute.
func tokenTime(t time.Time) string { return t.Local().Format("2006-01-02 15:04") }

// selectedToken is the token selected in the list, or nil after telling
// the user to select one.
func (t *accessTab) selectedToken() *engine.Token {
	if t.tokSel < 0 {
		t.sh.fail(errors.New("select a token first"))
		return nil
	}
	return t.tokens[t.tokSel]
}

// tokenForm is the Create token dialog's fields.
type tokenForm struct {
	principal *widget.SelectEntry
	name      *widget.Entry
	expires   *widget.Select
}

func (t *accessTab) newTokenForm() *tokenForm {
	who := ""
	if t.prinSel >= 0 {
		who = principalRef(t.principals[t.prinSel])
	}
	f := &tokenForm{principal: t.principalEntry(who)}
	f.name = widget.NewEntry()
	f.name.SetPlaceHolder("optional: the principal's name and a short random")
	var opts []string
	for _, l := range tokenLifetimes {
		opts = append(opts, l.text)
	}
	f.expires = widget.NewSelect(opts, nil)
	f.expires.SetSelectedIndex(2) // 30 days
	return f
}

// createToken makes the token the form describes and shows its secret.
func (t *accessTab) createToken(f *tokenForm) error {
	p, err := t.app.ResolvePrincipal(f.principal.Text)
	if err != nil {
		return err
	}
	var expires time.Time
	if i := f.expires.SelectedIndex(); i > 0 {
		expires = time.Now().Add(tokenLifetimes[i].d)
	}
	secret, err := t.app.CreateToken(p, f.name.Text, expires)
	if err != nil {
		return err
	}
	t.edited()
	t.showSecret(principalText(p), secret)
	return nil
}

func (t *accessTab) showCreateToken() {
	f := t.newTokenForm()
	if t.sh.win == nil {
		return
	}
	t.showForm("Create token", "Create", func() { t.sh.act(t.createToken(f)) },
		widget.NewFormItem("Principal", f.principal),
		widget.NewFormItem("Name", f.name),
		widget.NewFormItem("Expires", f.expires))
}

// showSecret shows a new token's secret, once, with a Copy button.
func (t *accessTab) showSecret(who, secret string) {
	t.secret = widget.NewEntry()
	t.secret.SetText(secret)
	t.secret.OnChanged = func(s string) { // read-only, yet selectable
		if s != secret {
			t.secret.SetText(secret)
		}
	}
	if t.sh.win == nil {
		return
	}
	copyIt := widget.NewButtonWithIcon("Copy", theme.ContentCopyIcon(), func() {
		fyne.CurrentApp().Clipboard().SetContent(secret)
		t.sh.flash("Copied the token to the clipboard.")
	})
	body := container.NewVBox(
		note(fmt.Sprintf("The token of %s. Copy it now: it is shown only this once, and the project keeps only its hash.", who)),
		container.NewBorder(nil, nil, nil, copyIt, t.secret))
	d := dialog.NewCustom("Token created", "Done", body, t.sh.win)
	d.SetOnClosed(func() { t.secret = nil })
	d.Resize(fyne.NewSize(640, 0))
	d.Show()
}
