package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"lucid/pki"
)

// caNow is the command's one clock: the pki package takes the time from
// its caller, and tests replace this to control it.
var caNow = time.Now

// caUsage is the help for `lucid ca` itself.
const caUsage = `Usage: lucid ca COMMAND [flags]

A certificate authority kept in a directory: its certificate and key, an
index of every certificate it issued, and its revocation list.

Commands:
  init       create a root CA, or with --parent an intermediate below another CA
  issue      make a key and a server or client certificate
  sign       issue a certificate for a certificate signing request (CSR)
  revoke     revoke a certificate by serial number
  crl        write the signed certificate revocation list to DIR/ca.crl
  list       show every certificate issued: serial, status, expiry, names
  install    make this machine trust the CA: the system store (needs root)
             and the NSS databases of Chromium and Firefox
  uninstall  remove exactly what install added

The directory is --dir; by default $LUCID_CA_DIR, else lucid/ca in the
user's data directory (%s).

Every change survives a crash (kill, power cut) at any point: the next
'lucid ca' command on the directory completes it from DIR/journal.json, or
undoes it, and says what it did. A certificate is recorded in the index
before it is signed; one whose files were never written is revoked. A CRL
number is recorded before its CRL is signed, so numbers may skip but never
repeat. DIR/.lock is locked while a command changes the CA; the system
releases it when the process ends, however it ends.

Run 'lucid ca COMMAND -h' for a command's flags.
Exit status: 0 done; 1 failed, with nothing changed (or, as the message
says, a change the next command completes); 2 usage error.
`

// defaultCADir picks the CA directory when --dir is not given:
// $LUCID_CA_DIR, else "lucid/ca" in the per-user data directory. On Linux
// and other Unix systems that is $XDG_DATA_HOME (when absolute, as the XDG
// Base Directory spec requires) or ~/.local/share: a CA holds data the
// user made, not configuration, so os.UserConfigDir would be the wrong
// place. macOS uses ~/Library/Application Support and Windows
// %LocalAppData% (the key should not roam between machines).
func defaultCADir(getenv func(string) string, goos string) (string, error) {
	if d := getenv("LUCID_CA_DIR"); d != "" {
		return d, nil
	}
	var base string
	switch goos {
	case "windows":
		base = getenv("LocalAppData")
		if base == "" {
			return "", errors.New("%LocalAppData% is not set")
		}
	case "darwin", "ios":
		home := getenv("HOME")
		if home == "" {
			return "", errors.New("$HOME is not set")
		}
		base = filepath.Join(home, "Library", "Application Support")
	default:
		if x := getenv("XDG_DATA_HOME"); x != "" && filepath.IsAbs(x) {
			base = x
		} else if home := getenv("HOME"); home != "" {
			base = filepath.Join(home, ".local", "share")
		} else {
			return "", errors.New("neither $XDG_DATA_HOME nor $HOME is set")
		}
	}
	return filepath.Join(base, "lucid", "ca"), nil
}

// caCommand runs `lucid ca ...` and returns the exit status.
func caCommand(args []string, stdout, stderr io.Writer) int {
	defDir, dirErr := defaultCADir(os.Getenv, runtime.GOOS)
	dirNote := defDir
	if dirErr != nil {
		dirNote = "unknown here: " + dirErr.Error()
	}
	help := fmt.Sprintf(caUsage, dirNote)
	if len(args) == 0 {
		fmt.Fprint(stderr, help)
		return 2
	}
	c := &caCmd{stdout: stdout, stderr: stderr, defDir: defDir}
	switch sub := args[0]; sub {
	case "-h", "-help", "--help", "help":
		fmt.Fprint(stdout, help)
		return 0
	case "init":
		return c.init(args[1:])
	case "issue":
		return c.issue(args[1:])
	case "sign":
		return c.sign(args[1:])
	case "revoke":
		return c.revoke(args[1:])
	case "crl":
		return c.crl(args[1:])
	case "list":
		return c.list(args[1:])
	case "install":
		return c.trust(true, args[1:])
	case "uninstall":
		return c.trust(false, args[1:])
	default:
		return usageFail(stderr, "ca", "unknown command %q", sub)
	}
}

// caCmd carries what every subcommand needs.
type caCmd struct {
	stdout, stderr io.Writer
	defDir         string
}

// usageError marks an error in the command line's shape: exit status 2.
type usageError struct{ msg string }

// Error is the message, without the command's name.
func (e usageError) Error() string { return e.msg }

// subcommand is one `lucid ca` subcommand's flag set and help.
type subcommand struct {
	fs       *flag.FlagSet
	synopsis string
	about    string
	dir      *string
	c        *caCmd
}

func (c *caCmd) newSub(name, synopsis, about string) *subcommand {
	fs := flag.NewFlagSet("lucid ca "+name, flag.ContinueOnError)
	// The flag package's own report of a mistake is silenced: usageFail
	// gives it in one line.
	fs.SetOutput(io.Discard)
	s := &subcommand{fs: fs, synopsis: synopsis, about: about, c: c}
	s.dir = fs.String("dir", c.defDir, "the CA `directory`; without it, $LUCID_CA_DIR, else lucid/ca in the user's data directory")
	// The flag package prints usage itself on errors; printing is done
	// here instead, to choose stdout for -h and stderr for mistakes.
	fs.Usage = func() {}
	return s
}

// usageFail reports a command-line mistake as every lucid command does,
// naming the subcommand ("lucid ca init: ...").
func (s *subcommand) usageFail(problem string) int {
	return usageFail(s.c.stderr, strings.TrimPrefix(s.fs.Name(), "lucid "), "%s", problem)
}

func (s *subcommand) usage(w io.Writer) {
	fmt.Fprintf(w, "Usage: %s\n\n%s\n\nFlags:\n", s.synopsis, s.about)
	s.fs.SetOutput(w)
	s.fs.PrintDefaults()
	s.fs.SetOutput(io.Discard)
}

// parse parses flags and positional arguments in any order (Go's flag
// package stops at the first positional one, but `lucid ca sign CSR --dir
// D` is the natural way to write it). "--" ends the flags. It returns the
// positional arguments and, when parsing is over, the exit status.
func (s *subcommand) parse(args []string, npos int, posName string) (pos []string, status int, done bool) {
	for {
		err := s.fs.Parse(args)
		if errors.Is(err, flag.ErrHelp) {
			s.usage(s.c.stdout)
			return nil, 0, true
		}
		if err != nil {
			return nil, s.usageFail(flagProblem(err)), true
		}
		rest := s.fs.Args()
		consumed := len(args) - len(rest)
		if consumed > 0 && args[consumed-1] == "--" {
			pos = append(pos, rest...)
			break
		}
		if len(rest) == 0 {
			break
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
	if len(pos) != npos {
		switch {
		case npos == 0:
			s.fail(usageError{fmt.Sprintf("unexpected argument %q", pos[0])})
		case len(pos) < npos:
			s.fail(usageError{"missing " + posName})
		default:
			s.fail(usageError{fmt.Sprintf("unexpected argument %q after the %s", pos[npos], posName)})
		}
		return nil, 2, true
	}
	if *s.dir == "" {
		s.fail(usageError{"no CA directory: pass --dir or set LUCID_CA_DIR"})
		return nil, 2, true
	}
	return pos, 0, false
}

// recover finishes what an interrupted command left in each directory
// and says what it did; it returns false, having reported the error,
// when that fails. pki.Open would do it too, silently.
func (s *subcommand) recover(dirs ...string) (status int, ok bool) {
	for _, d := range dirs {
		notes, err := pki.Recover(d)
		s.c.notes(notes)
		if err != nil {
			return s.fail(err), false
		}
	}
	return 0, true
}

// notes prints what recovery did, on stderr so that stdout stays the
// command's own answer.
func (c *caCmd) notes(notes []string) {
	for _, n := range notes {
		fmt.Fprintf(c.stderr, "lucid ca: recovered: %s.\n", n)
	}
}

// fail reports err and returns its exit status: 2 with the usage for a
// usage error, else 1, with a hint for the errors a flag fixes.
func (s *subcommand) fail(err error) int {
	var ue usageError
	if errors.As(err, &ue) {
		return s.usageFail(ue.msg)
	}
	msg := err.Error()
	var ee *pki.ExistsError
	switch {
	case errors.Is(err, pki.ErrNoCA):
		msg += fmt.Sprintf(" (create one with 'lucid ca init --dir %s')", *s.dir)
	case errors.As(err, &ee):
		msg += " (--force replaces it)"
	}
	fmt.Fprintf(s.c.stderr, "lucid ca: %s\n", msg)
	return 1
}

// intFlag is an integer flag that remembers whether it was given, since
// for --days and --pathlen "not given" differs from every number.
type intFlag struct {
	n   int
	set bool
}

// String shows the value in help texts; empty when not given.
func (f *intFlag) String() string {
	if f == nil || !f.set {
		return ""
	}
	return strconv.Itoa(f.n)
}

// Set parses a whole number.
func (f *intFlag) Set(s string) error {
	n, err := strconv.Atoi(s)
	if err != nil {
		return fmt.Errorf("%q is not a whole number", s)
	}
	f.n, f.set = n, true
	return nil
}

// checkDays turns an explicit --days of zero or less into an error; the
// pki package reads 0 as "the default", so it cannot tell.
func checkDays(f intFlag) error {
	if f.set && f.n <= 0 {
		return fmt.Errorf("--days must be at least 1, not %d", f.n)
	}
	return nil
}

// listFlag gathers a comma-separated, repeatable flag.
type listFlag []string

// String shows the values, comma-separated.
func (l *listFlag) String() string {
	if l == nil {
		return ""
	}
	return strings.Join(*l, ",")
}

// Set adds the comma-separated values of one occurrence of the flag.
func (l *listFlag) Set(s string) error {
	for _, p := range strings.Split(s, ",") {
		*l = append(*l, strings.TrimSpace(p))
	}
	return nil
}

func keyHelp() string {
	names := make([]string, len(pki.KeyTypes))
	for i, k := range pki.KeyTypes {
		names[i] = string(k)
	}
	return "key `type`: " + strings.Join(names, ", ") + " (default " + string(pki.DefaultKeyType) + ")"
}

func (c *caCmd) init(args []string) int {
	s := c.newSub("init",
		"lucid ca init [--dir DIR] [--name NAME] [--key TYPE] [--days N] [--parent DIR] [--pathlen N] [--permit NAMES] [--exclude NAMES] [--force]",
		"Creates a root CA in DIR: DIR/ca.crt (the certificate clients trust), DIR/ca.key\n"+
			"(its private key, mode 0600) and DIR/index.json. With --parent, DIR becomes an\n"+
			"intermediate CA signed by the CA in the parent directory; it also gets\n"+
			"DIR/chain.crt (itself and the intermediates above it) and DIR/root.crt.\n"+
			"An intermediate inherits its parent's name constraints and may only narrow\n"+
			"them, and its path length must be below the parent's.")
	name := s.fs.String("name", "", "the CA's common `name` (default \""+pki.DefaultRootName+"\", or \""+pki.DefaultIntermediateName+"\" with --parent)")
	org := s.fs.String("org", "", "the `organization` in the CA's name (default \""+pki.DefaultOrganization+"\")")
	country := s.fs.String("country", "", "two-letter country `code` in the CA's name (default: none)")
	key := s.fs.String("key", "", keyHelp())
	var days intFlag
	s.fs.Var(&days, "days", fmt.Sprintf("validity in `days` (default %d for a root, %d for an intermediate, within its parent's)", pki.DefaultRootDays, pki.DefaultIntermediateDays))
	parent := s.fs.String("parent", "", "make an intermediate signed by the CA in this `directory`")
	var pathlen intFlag
	s.fs.Var(&pathlen, "pathlen", "allow at most `N` intermediate CAs below this one (default: no limit for a root, 0 for an intermediate)")
	var permit, exclude listFlag
	s.fs.Var(&permit, "permit", "name constraint: only these DNS `domains` (example.com, .example.com) and IP ranges (10.0.0.0/8); comma-separated, repeatable")
	s.fs.Var(&exclude, "exclude", "name constraint: never these DNS `domains` or IP ranges")
	force := s.fs.Bool("force", false, "replace a CA already in DIR (its index starts afresh)")
	if _, st, done := s.parse(args, 0, ""); done {
		return st
	}
	if err := checkDays(days); err != nil {
		return s.fail(err)
	}
	opts := pki.InitOptions{
		Name: *name, Organization: *org, Country: *country, KeyType: pki.KeyType(*key),
		Days: days.n, Permitted: permit, Excluded: exclude, Now: caNow(), Force: *force,
	}
	if pathlen.set {
		opts.PathLen = &pathlen.n
	}
	dirs := []string{*s.dir}
	if *parent != "" {
		dirs = append(dirs, *parent)
	}
	if st, ok := s.recover(dirs...); !ok {
		return st
	}
	if *parent != "" {
		p, err := pki.Open(*parent)
		if err != nil {
			if errors.Is(err, pki.ErrNoCA) {
				return s.fail(fmt.Errorf("the parent: %v", err))
			}
			return s.fail(err)
		}
		opts.Parent = p
	}
	ca, err := pki.Init(*s.dir, opts)
	if opts.Parent != nil {
		c.notes(opts.Parent.Recovered())
	}
	if err != nil {
		return s.fail(err)
	}
	c.notes(ca.Recovered())
	cert := ca.Certificate()
	dir := ca.Dir()
	w := c.stdout
	if ca.IsRoot() {
		fmt.Fprintf(w, "Created root CA %q (%s), valid until %s.\n", cert.Subject.CommonName, pki.KeyName(cert.PublicKey), date(cert.NotAfter))
	} else {
		fmt.Fprintf(w, "Created intermediate CA %q (%s) signed by %q, serial %s, path length %d, valid until %s.\n",
			cert.Subject.CommonName, pki.KeyName(cert.PublicKey), opts.Parent.Certificate().Subject.CommonName,
			pki.FormatSerial(cert.SerialNumber), cert.MaxPathLen, date(cert.NotAfter))
	}
	if cons := ca.Constraints(); len(cons.PermittedDNS)+len(cons.PermittedIPs)+len(cons.ExcludedDNS)+len(cons.ExcludedIPs) > 0 {
		fmt.Fprintf(w, "Name constraints: %s.\n", describeConstraints(cons))
	}
	files := [][2]string{
		{filepath.Join(dir, "ca.crt"), "the certificate"},
		{filepath.Join(dir, "ca.key"), "the private key (mode 0600): keep it secret"},
	}
	if !ca.IsRoot() {
		files = append(files,
			[2]string{filepath.Join(dir, "chain.crt"), "this CA and the intermediates above it"},
			[2]string{filepath.Join(dir, "root.crt"), "the root clients must trust"})
	}
	listFiles(w, files)
	if ca.IsRoot() {
		fmt.Fprintf(w, "Clients trust what it issues once they trust %s.\n", filepath.Join(dir, "ca.crt"))
	}
	return 0
}

// listFiles prints written files with what each holds, aligned.
func listFiles(w io.Writer, files [][2]string) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, f := range files {
		fmt.Fprintf(tw, "  %s\t%s\n", f[0], f[1])
	}
	tw.Flush()
}

func describeConstraints(c pki.Constraints) string {
	var parts []string
	if len(c.PermittedDNS)+len(c.PermittedIPs) > 0 {
		p := append([]string{}, c.PermittedDNS...)
		for _, n := range c.PermittedIPs {
			p = append(p, n.String())
		}
		parts = append(parts, "only "+strings.Join(p, ", "))
	}
	if len(c.ExcludedDNS)+len(c.ExcludedIPs) > 0 {
		p := append([]string{}, c.ExcludedDNS...)
		for _, n := range c.ExcludedIPs {
			p = append(p, n.String())
		}
		parts = append(parts, "never "+strings.Join(p, ", "))
	}
	return strings.Join(parts, "; ")
}

func (c *caCmd) issue(args []string) int {
	s := c.newSub("issue",
		"lucid ca issue [--dir DIR] (--server NAME[,NAME...] | --client NAME) [--key TYPE] [--days N] --out PREFIX [--force]",
		"Makes a key and a certificate signed by the CA: PREFIX.crt holds the certificate\n"+
			"followed by the intermediates up to (not including) the root, PREFIX.key the\n"+
			"private key (mode 0600). A server certificate carries the host names and IP\n"+
			"addresses as subject alternative names and may be used for TLS server\n"+
			"authentication; a client certificate carries the name as its common name\n"+
			"(and as an email SAN when it is an email address) for client authentication.")
	var server listFlag
	s.fs.Var(&server, "server", "issue a server certificate for these host `names` and IP addresses (comma-separated, repeatable; *.example.com allowed)")
	client := s.fs.String("client", "", "issue a client certificate to this `name`")
	key := s.fs.String("key", "", keyHelp())
	var days intFlag
	s.fs.Var(&days, "days", fmt.Sprintf("validity in `days` (default %d, within the CA's)", pki.DefaultLeafDays))
	out := s.fs.String("out", "", "write PREFIX.crt and PREFIX.key (`PREFIX` may include a directory)")
	force := s.fs.Bool("force", false, "replace existing PREFIX.crt and PREFIX.key")
	if _, st, done := s.parse(args, 0, ""); done {
		return st
	}
	clientSet := false
	s.fs.Visit(func(f *flag.Flag) { clientSet = clientSet || f.Name == "client" })
	switch {
	case len(server) > 0 && clientSet:
		return s.fail(usageError{"give either --server or --client, not both"})
	case len(server) == 0 && !clientSet:
		return s.fail(usageError{"say what to issue: --server NAME[,NAME...] or --client NAME"})
	case *out == "":
		return s.fail(usageError{"--out PREFIX is required: where to write PREFIX.crt and PREFIX.key"})
	}
	if err := checkDays(days); err != nil {
		return s.fail(err)
	}
	opts := pki.IssueOptions{Kind: pki.KindServer, Names: server, KeyType: pki.KeyType(*key), Days: days.n, Now: caNow(), Out: *out, Force: *force}
	if clientSet {
		opts.Kind, opts.Names = pki.KindClient, []string{*client}
	}
	if st, ok := s.recover(*s.dir); !ok {
		return st
	}
	ca, err := pki.Open(*s.dir)
	if err != nil {
		return s.fail(err)
	}
	defer func() { c.notes(ca.Recovered()) }()
	iss, err := ca.Issue(opts)
	if err != nil {
		return s.fail(err)
	}
	c.reportIssued(iss)
	return 0
}

// reportIssued says what was issued and where it went.
func (c *caCmd) reportIssued(iss *pki.Issued) {
	w := c.stdout
	cert := iss.Certificate
	names := strings.Join(iss.Record.Names, ", ")
	if names == "" {
		names = cert.Subject.CommonName
	}
	fmt.Fprintf(w, "Issued %s certificate %s for %s (%s), valid until %s.\n",
		iss.Record.Kind, iss.Record.Serial, names, pki.KeyName(cert.PublicKey), date(cert.NotAfter))
	what := "the certificate"
	if n := len(iss.Chain) - 1; n > 0 {
		what += fmt.Sprintf(", then %d intermediate(s)", n)
	}
	files := [][2]string{{iss.CertFile, what}}
	if iss.KeyFile != "" {
		files = append(files, [2]string{iss.KeyFile, "the private key (mode 0600)"})
	}
	listFiles(w, files)
	for _, ig := range iss.Ignored {
		fmt.Fprintf(w, "Not copied from the CSR: %s\n", ig)
	}
}

func (c *caCmd) sign(args []string) int {
	s := c.newSub("sign",
		"lucid ca sign CSR [--dir DIR] [--client] [--days N] --out PREFIX [--force]",
		"Issues a certificate for the key in the certificate signing request in file CSR\n"+
			"(PEM or DER), writing PREFIX.crt; the requester keeps the key. The CSR's\n"+
			"signature must verify. Only its common name and DNS and IP subject alternative\n"+
			"names are copied; the CA decides the rest. A server certificate unless --client.")
	client := s.fs.Bool("client", false, "issue a client certificate to the CSR's common name")
	var days intFlag
	s.fs.Var(&days, "days", fmt.Sprintf("validity in `days` (default %d, within the CA's)", pki.DefaultLeafDays))
	out := s.fs.String("out", "", "write `PREFIX`.crt")
	force := s.fs.Bool("force", false, "replace an existing PREFIX.crt")
	pos, st, done := s.parse(args, 1, "CSR file")
	if done {
		return st
	}
	if *out == "" {
		return s.fail(usageError{"--out PREFIX is required: where to write PREFIX.crt"})
	}
	if err := checkDays(days); err != nil {
		return s.fail(err)
	}
	csr, err := os.ReadFile(pos[0])
	if err != nil {
		return s.fail(fmt.Errorf("reading the CSR: %v", err))
	}
	if st, ok := s.recover(*s.dir); !ok {
		return st
	}
	ca, err := pki.Open(*s.dir)
	if err != nil {
		return s.fail(err)
	}
	defer func() { c.notes(ca.Recovered()) }()
	iss, err := ca.SignCSR(csr, pki.CSROptions{Client: *client, Days: days.n, Now: caNow(), Out: *out, Force: *force})
	if err != nil {
		return s.fail(fmt.Errorf("%s: %w", pos[0], err))
	}
	c.reportIssued(iss)
	return 0
}

func (c *caCmd) revoke(args []string) int {
	s := c.newSub("revoke",
		"lucid ca revoke SERIAL [--dir DIR] [--reason REASON]",
		"Marks the certificate with serial number SERIAL revoked. SERIAL is hex, as\n"+
			"'lucid ca list' and 'openssl x509 -serial' print it (either case, colons\n"+
			"allowed). Run 'lucid ca crl' afterwards to publish the revocation.")
	reason := s.fs.String("reason", "unspecified", "why: "+strings.Join(pki.Reasons(), ", "))
	pos, st, done := s.parse(args, 1, "serial number")
	if done {
		return st
	}
	serial, err := pki.ParseSerial(pos[0])
	if err != nil {
		return s.fail(err)
	}
	r, err := pki.ParseReason(*reason)
	if err != nil {
		return s.fail(err)
	}
	if st, ok := s.recover(*s.dir); !ok {
		return st
	}
	ca, err := pki.Open(*s.dir)
	if err != nil {
		return s.fail(err)
	}
	defer func() { c.notes(ca.Recovered()) }()
	rec, err := ca.Revoke(serial, r, caNow())
	if err != nil {
		return s.fail(err)
	}
	fmt.Fprintf(c.stdout, "Revoked %s (%s) for %s.\nRun 'lucid ca crl --dir %s' to publish the revocation.\n", rec.Serial, rec.Subject, rec.Reason, ca.Dir())
	return 0
}

func (c *caCmd) crl(args []string) int {
	s := c.newSub("crl", "lucid ca crl [--dir DIR]",
		"Writes DIR/ca.crl: a certificate revocation list in PEM, signed by the CA,\n"+
			"listing every certificate it revoked with the reason, under a CRL number one\n"+
			fmt.Sprintf("higher than the last. It is current for %d days; publish a new one before then.", int(pki.CRLValidity/(24*time.Hour))))
	if _, st, done := s.parse(args, 0, ""); done {
		return st
	}
	if st, ok := s.recover(*s.dir); !ok {
		return st
	}
	ca, err := pki.Open(*s.dir)
	if err != nil {
		return s.fail(err)
	}
	defer func() { c.notes(ca.Recovered()) }()
	list, _, err := ca.CRL(caNow())
	if err != nil {
		return s.fail(err)
	}
	fmt.Fprintf(c.stdout, "Wrote %s: CRL number %s, %d revoked certificate(s), next update %s.\n",
		ca.CRLPath(), list.Number, len(list.RevokedCertificateEntries), date(list.NextUpdate))
	return 0
}

func (c *caCmd) list(args []string) int {
	s := c.newSub("list", "lucid ca list [--dir DIR]",
		"Shows every certificate the CA issued: serial, status (valid, revoked,\n"+
			"expired), expiry, kind, subject and names. A certificate whose issue a crash\n"+
			"interrupted before its files were written shows as revoked, never delivered.")
	if _, st, done := s.parse(args, 0, ""); done {
		return st
	}
	if st, ok := s.recover(*s.dir); !ok {
		return st
	}
	ca, err := pki.Open(*s.dir)
	if err != nil {
		return s.fail(err)
	}
	defer func() { c.notes(ca.Recovered()) }()
	recs, err := ca.List()
	if err != nil {
		return s.fail(err)
	}
	if len(recs) == 0 {
		fmt.Fprintf(c.stdout, "The CA %q has issued no certificates.\n", ca.Certificate().Subject.CommonName)
		return 0
	}
	now := caNow()
	tw := tabwriter.NewWriter(c.stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "SERIAL\tSTATUS\tNOT AFTER\tKIND\tSUBJECT\tNAMES")
	for _, r := range recs {
		st := string(r.Status(now))
		if r.Revoked() && r.Undelivered {
			st += " (" + r.Reason.String() + ", never delivered)"
		} else if r.Revoked() {
			st += " (" + r.Reason.String() + ")"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", r.Serial, st, date(r.NotAfter), r.Kind, r.Subject, strings.Join(r.Names, ","))
	}
	tw.Flush()
	return 0
}

// date writes a certificate time for people: UTC, to the minute.
func date(t time.Time) string { return t.UTC().Format("2006-01-02 15:04 UTC") }
