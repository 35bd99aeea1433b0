package main

import (
	"bytes"
	"errors"
	"strings"
	"testing"
)

// Every command reports a command-line mistake the same way: exit status
// 2, nothing on stdout, and on stderr exactly "lucid CMD: PROBLEM" and
// "see 'lucid CMD --help'", a help command that itself works.
func TestFlagErrorShape(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		cmd  string // as named in the message
		args []string
		want string // in the problem line
	}{
		{"serve", []string{"serve", "--bogus"}, "unknown flag --bogus"},
		{"serve", []string{"serve", "--tls-min", "1.1"}, `--tls-min "1.1": TLS 1.1 is refused`},
		{"serve", []string{"serve", "--hsts=maybe"}, `--hsts "maybe" is not a valid value`},
		{"serve", []string{"serve", "--cert", "a.pem"}, "--cert and --key go in pairs"},
		{"serve", []string{"serve", "--addr"}, "--addr needs a value"},
		{"serve", []string{"serve", "extra"}, `unexpected argument "extra"`},
		{"get", []string{"get", "--bogus", "https://localhost/"}, "unknown flag --bogus"},
		{"get", []string{"get", "-Z", "https://localhost/"}, "unknown flag -Z"},
		{"get", []string{"get"}, "no URL given"},
		{"get", []string{"get", "--tls-max", "1.0", "https://localhost/"}, `--tls-max "1.0"`},
		{"demo", []string{"demo", "--nope"}, "unknown flag --nope"},
		{"demo", []string{"demo", "--kx", "dh"}, `--kx "dh": want ecdhe or rsa`},
		{"demo", []string{"demo", "--tls"}, "--tls needs a value"},
		{"ca", []string{"ca", "frob"}, `unknown command "frob"`},
		{"ca init", []string{"ca", "init", "--dir", dir, "--bogus"}, "unknown flag --bogus"},
		{"ca init", []string{"ca", "init", "--dir", dir, "--days", "ten"}, `--days "ten": "ten" is not a whole number`},
		{"ca revoke", []string{"ca", "revoke", "--dir", dir}, "missing serial number"},
		{"ca crl", []string{"ca", "crl", "--dir", dir, "x"}, `unexpected argument "x"`},
		{"connect", []string{"connect", "--bogus", "localhost:443"}, "unknown flag --bogus"},
		{"connect", []string{"connect"}, "give one HOST:PORT"},
		{"cert", []string{"cert", "frob"}, `unknown subcommand "frob"`},
		{"cert inspect", []string{"cert", "inspect", "--bogus", "x.pem"}, "unknown flag --bogus"},
	} {
		var stdout, stderr bytes.Buffer
		code := run(tc.args, &stdout, &stderr)
		lines := strings.Split(stderr.String(), "\n")
		ok := code == exitUsage && stdout.Len() == 0 && len(lines) == 3 && lines[2] == "" &&
			strings.HasPrefix(lines[0], "lucid "+tc.cmd+": ") && strings.Contains(lines[0], tc.want) &&
			lines[1] == "see 'lucid "+tc.cmd+" --help'"
		if !ok {
			t.Errorf("lucid %s: exit %d, stdout %q, stderr %q; want exit 2 and\n  lucid %s: …%s…\n  see 'lucid %s --help'",
				strings.Join(tc.args, " "), code, stdout.String(), stderr.String(), tc.cmd, tc.want, tc.cmd)
			continue
		}
		stdout.Reset()
		if code := run(append(strings.Fields(tc.cmd), "--help"), &stdout, &stderr); code != 0 || stdout.Len() == 0 {
			t.Errorf("the hint 'lucid %s --help' does not work: exit %d", tc.cmd, code)
		}
	}
	var stdout, stderr bytes.Buffer
	if code := run([]string{"frob"}, &stdout, &stderr); code != exitUsage || stderr.String() != "lucid: unknown command \"frob\"\nsee 'lucid --help'\n" {
		t.Errorf("lucid frob: exit %d, %q", code, stderr.String())
	}
}

func TestFlagProblem(t *testing.T) {
	for in, want := range map[string]string{
		"flag provided but not defined: -bogus":                "unknown flag --bogus",
		"flag provided but not defined: -Z":                    "unknown flag -Z",
		"flag needs an argument: -o":                           "-o needs a value",
		`invalid value "x" for flag -tls-min: unknown version`: `--tls-min "x": unknown version`,
		`invalid boolean value "maybe" for -hsts: parse error`: `--hsts "maybe" is not a valid value`,
		"something else entirely":                              "something else entirely",
	} {
		if got := flagProblem(errors.New(in)); got != want {
			t.Errorf("flagProblem(%q) = %q, want %q", in, got, want)
		}
	}
}

// usageFail keeps the problem on one line, whatever the message holds.
func TestUsageFailOneLine(t *testing.T) {
	var b bytes.Buffer
	if code := usageFail(&b, "serve", "two\nlines %s", "and\ttabs"); code != exitUsage ||
		b.String() != "lucid serve: two lines and tabs\nsee 'lucid serve --help'\n" {
		t.Errorf("exit %d, %q", code, b.String())
	}
}
