package main

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
)

// systemLayout is one way a Unix system keeps locally added trust
// anchors: a directory of PEM files and the command that rebuilds the
// bundles programs read from it.
type systemLayout struct {
	name   string
	dir    string
	update []string
}

// systemLayouts are tried in order; the first whose directory exists is
// the machine's. Debian comes first because its directory is the most
// specific; Fedora's and openSUSE's are checked before Arch's because an
// Arch system has no /etc/pki.
var systemLayouts = []systemLayout{
	{"Debian, Ubuntu", "/usr/local/share/ca-certificates", []string{"update-ca-certificates"}},
	{"Fedora, RHEL", "/etc/pki/ca-trust/source/anchors", []string{"update-ca-trust", "extract"}},
	{"openSUSE", "/etc/pki/trust/anchors", []string{"update-ca-certificates"}},
	{"Arch", "/etc/ca-certificates/trust-source/anchors", []string{"trust", "extract-compat"}},
}

// detectSystemLayout finds the machine's layout below root ("/" except
// in tests).
func detectSystemLayout(root string) (systemLayout, bool) {
	for _, l := range systemLayouts {
		if st, err := os.Stat(filepath.Join(root, l.dir)); err == nil && st.IsDir() {
			return l, true
		}
	}
	return systemLayout{}, false
}

// systemTrust adds the certificate to the system store or removes it.
// caDir goes into the command it suggests when root is needed.
func systemTrust(install bool, tc *trustCert, f trustFlags, caDir string) trustResult {
	var l systemLayout
	switch {
	case f.systemDir != "":
		dir, err := filepath.Abs(f.systemDir)
		if err != nil {
			return trustResult{fmt.Sprintf("System trust store: %v.", err), true}
		}
		l = systemLayout{name: "given", dir: dir}
		if st, err := os.Stat(f.systemDir); err != nil || !st.IsDir() {
			return trustResult{fmt.Sprintf("System trust store: %s is not a directory.", f.systemDir), true}
		}
	case runtime.GOOS != "linux" && runtime.GOOS != "freebsd":
		return trustResult{fmt.Sprintf("System trust store: not handled on %s; import %s with the system's own tool.", runtime.GOOS, tc.file), true}
	default:
		var ok bool
		if l, ok = detectSystemLayout("/"); !ok {
			dirs := make([]string, len(systemLayouts))
			for i, sl := range systemLayouts {
				dirs[i] = sl.dir
			}
			return trustResult{"System trust store: none found (looked for " + strings.Join(dirs, ", ") +
				"); add " + tc.file + " with the system's own tool, or pass --system-dir.", true}
		}
	}
	if f.updateSet {
		l.update = strings.Fields(f.updateCmd)
	}
	label := "System trust store"
	if l.name != "given" {
		label += " (" + l.name + ")"
	}
	path := filepath.Join(l.dir, tc.fileName)

	old, err := os.ReadFile(path)
	present := err == nil
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return trustResult{fmt.Sprintf("%s: %v.", label, err), true}
	}
	if present && !bytes.Equal(old, tc.pem) {
		// The name carries the certificate's hash, so another content
		// means someone else's file: neither replace nor delete it.
		return trustResult{fmt.Sprintf("%s: %s exists with other content; left alone.", label, path), true}
	}
	var did string
	switch {
	case install && present:
		return trustResult{fmt.Sprintf("%s: already there, %s.", label, path), false}
	case !install && !present:
		return trustResult{fmt.Sprintf("%s: not there (no %s); nothing to remove.", label, path), false}
	case install:
		err = os.WriteFile(path, tc.pem, 0o644)
		did = "added " + path
	default:
		err = os.Remove(path)
		did = "removed " + path
	}
	if err != nil {
		if errors.Is(err, fs.ErrPermission) {
			verb := "uninstall"
			if install {
				verb = "install"
			}
			return trustResult{fmt.Sprintf("%s: needs root to change %s; run: sudo lucid ca %s --dir %s --no-nss",
				label, l.dir, verb, shellQuote(caDir)), true}
		}
		return trustResult{fmt.Sprintf("%s: %v.", label, err), true}
	}
	if len(l.update) == 0 {
		return trustResult{fmt.Sprintf("%s: %s; no update command run.", label, did), false}
	}
	cmdLine := strings.Join(l.update, " ")
	if out, err := exec.Command(l.update[0], l.update[1:]...).CombinedOutput(); err != nil {
		return trustResult{fmt.Sprintf("%s: %s, but %s failed: %v%s", label, did, cmdLine, err, indentOutput(out)), true}
	}
	return trustResult{fmt.Sprintf("%s: %s; ran %s.", label, did, cmdLine), false}
}

// indentOutput shows a failed command's output under the line that
// reports it.
func indentOutput(out []byte) string {
	s := strings.TrimSpace(string(out))
	if s == "" {
		return ""
	}
	return "\n    " + strings.ReplaceAll(s, "\n", "\n    ")
}
