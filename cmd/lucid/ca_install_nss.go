package main

import (
	"bytes"
	"encoding/pem"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
)

// certutilHint says where certutil comes from on the common systems.
const certutilHint = "certutil is not installed: install it (Debian, Ubuntu: apt install libnss3-tools; Fedora: dnf install nss-tools; Arch: pacman -S nss)"

// nssDB is one NSS database and the browser that reads it.
type nssDB struct {
	dir     string
	browser string
}

// findNSSDBs lists the databases the browsers of the user whose home is
// home read: Chromium's shared one and each Firefox profile's, also where
// their snap packages keep them. Only SQL databases (cert9.db) count: the
// old cert8.db format is gone from current NSS.
func findNSSDBs(home string) []nssDB {
	if home == "" {
		return nil
	}
	var dbs []nssDB
	for _, d := range []string{
		filepath.Join(home, ".pki", "nssdb"),
		filepath.Join(home, "snap", "chromium", "current", ".pki", "nssdb"),
	} {
		if isNSSDB(d) {
			dbs = append(dbs, nssDB{d, "Chromium"})
		}
	}
	for _, pattern := range []string{
		filepath.Join(home, ".mozilla", "firefox", "*", "cert9.db"),
		filepath.Join(home, "snap", "firefox", "common", ".mozilla", "firefox", "*", "cert9.db"),
	} {
		matches, _ := filepath.Glob(pattern)
		sort.Strings(matches)
		for _, m := range matches {
			dbs = append(dbs, nssDB{filepath.Dir(m), "Firefox"})
		}
	}
	return dbs
}

func isNSSDB(dir string) bool {
	_, err := os.Stat(filepath.Join(dir, "cert9.db"))
	return err == nil
}

// nssTrust adds the certificate to each database, or removes it. The
// databases are --nss-db's when given, else the ones found under home.
func nssTrust(install bool, tc *trustCert, f trustFlags, home string) []trustResult {
	var dbs []nssDB
	if len(f.nssDBs) > 0 {
		for _, d := range f.nssDBs {
			if abs, err := filepath.Abs(d); err == nil {
				d = abs
			}
			dbs = append(dbs, nssDB{d, "given"})
		}
	} else {
		if u := os.Getenv("SUDO_USER"); u != "" && os.Geteuid() == 0 {
			// sudo usually sets HOME to root's: the user's browsers are
			// elsewhere, and certutil run as root would make their files
			// root's.
			return []trustResult{{fmt.Sprintf("NSS databases: not changed under sudo (HOME is %s, not %s's); run 'lucid ca install --no-system' as %s.", home, u, u), false}}
		}
		dbs = findNSSDBs(home)
		if len(dbs) == 0 {
			return []trustResult{{fmt.Sprintf("NSS databases: none found under %s (Chromium's ~/.pki/nssdb and Firefox profiles appear once the browser has run; --nss-db names one).", home), false}}
		}
	}
	certutil, err := exec.LookPath("certutil")
	if err != nil {
		return []trustResult{{"NSS databases: " + certutilHint + ".", true}}
	}
	results := make([]trustResult, 0, len(dbs))
	for _, db := range dbs {
		results = append(results, nssChange(certutil, install, tc, db))
	}
	return results
}

// nssChange changes one database. certutil reads and writes it with the
// browser running: SQL databases are shared safely.
func nssChange(certutil string, install bool, tc *trustCert, db nssDB) trustResult {
	label := "NSS database " + db.dir
	if db.browser != "given" {
		label += " (" + db.browser + ")"
	}
	run := func(args ...string) ([]byte, error) {
		return exec.Command(certutil, append([]string{"-d", "sql:" + db.dir}, args...)...).CombinedOutput()
	}
	created := ""
	if !isNSSDB(db.dir) {
		if !install {
			return trustResult{fmt.Sprintf("%s: no database there; nothing to remove.", label), false}
		}
		if err := os.MkdirAll(db.dir, 0o700); err != nil {
			return trustResult{fmt.Sprintf("%s: %v.", label, err), true}
		}
		if out, err := run("-N", "--empty-password"); err != nil {
			return trustResult{fmt.Sprintf("%s: creating it: certutil -N: %v%s", label, err, indentOutput(out)), true}
		}
		created = "created the database, "
	}
	present, err := nssHolds(certutil, db.dir, tc)
	if err != nil {
		return trustResult{fmt.Sprintf("%s: %v", label, err), true}
	}
	switch {
	case install && present:
		return trustResult{fmt.Sprintf("%s: already trusted as %q.", label, tc.nickname), false}
	case !install && !present:
		return trustResult{fmt.Sprintf("%s: no %q; nothing to remove.", label, tc.nickname), false}
	case install:
		// C,, trusts it to issue TLS server certificates, and nothing
		// else (not e-mail, not code signing).
		if out, err := run("-A", "-n", tc.nickname, "-t", "C,,", "-i", tc.file); err != nil {
			return trustResult{fmt.Sprintf("%s: certutil -A: %v%s", label, err, indentOutput(out)), true}
		}
		return trustResult{fmt.Sprintf("%s: %sadded %q, trusted to issue TLS server certificates.", label, created, tc.nickname), false}
	default:
		if out, err := run("-D", "-n", tc.nickname); err != nil {
			return trustResult{fmt.Sprintf("%s: certutil -D: %v%s", label, err, indentOutput(out)), true}
		}
		return trustResult{fmt.Sprintf("%s: removed %q.", label, tc.nickname), false}
	}
}

// nssHolds reports whether the database holds this CA's certificate
// under its nickname. certutil -L fails both when the nickname is absent
// and when the database cannot be read; listing all nicknames first
// tells the two apart.
func nssHolds(certutil, dir string, tc *trustCert) (bool, error) {
	all, err := exec.Command(certutil, "-d", "sql:"+dir, "-L").CombinedOutput()
	if err != nil {
		return false, fmt.Errorf("certutil -L: %v%s", err, indentOutput(all))
	}
	if !bytes.Contains(all, []byte(tc.nickname)) {
		return false, nil
	}
	out, err := exec.Command(certutil, "-d", "sql:"+dir, "-L", "-n", tc.nickname, "-a").Output()
	if err != nil {
		return false, fmt.Errorf("certutil -L -n %q: %v", tc.nickname, err)
	}
	for rest := out; ; {
		var block *pem.Block
		block, rest = pem.Decode(rest)
		if block == nil {
			break
		}
		if bytes.Equal(block.Bytes, tc.cert.Raw) {
			return true, nil
		}
	}
	return false, fmt.Errorf("%q names another certificate; left alone", tc.nickname)
}
