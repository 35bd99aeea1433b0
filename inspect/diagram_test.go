package inspect_test

import (
	"html"
	"regexp"
	"strings"
	"testing"

	"lucid/https"
	"lucid/inspect"
	"lucid/tls"
)

// diagramRow is one row of the page's sequence diagram, in drawing order.
type diagramRow struct {
	kind  string // the event's kind, from the row's tooltip
	name  string // the event's name (its first word)
	cls   string // the arrow's class: "msg enc", "rec clear" and so on
	label string // an arrow's label, or a key, check or decision's text
	note  string // the line under an arrow
}

var (
	rowPattern   = regexp.MustCompile(`(?s)<g class="row" id="ev-\d+"><title>([^<]*)</title>(.*?)</g>`)
	linePattern  = regexp.MustCompile(`<line class="([^"]+)"`)
	labelPattern = regexp.MustCompile(`<text class="(?:label|side [a-z]+)"[^>]*>([^<]*)</text>`)
	notePattern  = regexp.MustCompile(`<text class="note"[^>]*>([^<]*)</text>`)
)

// diagramRows reads the rows of the diagram on page.
func diagramRows(t *testing.T, page string) []diagramRow {
	t.Helper()
	var rows []diagramRow
	for _, m := range rowPattern.FindAllStringSubmatch(page, -1) {
		title := strings.Fields(html.UnescapeString(m[1]))
		r := diagramRow{kind: title[0], name: title[1]}
		if l := linePattern.FindStringSubmatch(m[2]); l != nil {
			r.cls = l[1]
		}
		if l := labelPattern.FindStringSubmatch(m[2]); l != nil {
			r.label = html.UnescapeString(l[1])
		}
		if n := notePattern.FindStringSubmatch(m[2]); n != nil {
			r.note = html.UnescapeString(n[1])
		}
		rows = append(rows, r)
	}
	if len(rows) == 0 {
		t.Fatal("the page has no diagram rows")
	}
	return rows
}

// find is the index of the first row of kind named name, or -1.
func find(rows []diagramRow, kind, name string) int {
	for i, r := range rows {
		if r.kind == kind && r.name == name {
			return i
		}
	}
	return -1
}

// findLabel is the index of the first row whose label is text, or -1.
func findLabel(rows []diagramRow, text string) int {
	for i, r := range rows {
		if r.label == text {
			return i
		}
	}
	return -1
}

// checkKeysBeforeRecords checks the diagram's promise: every encrypted
// message is drawn with the level of its keys, after the row installing
// that key in its direction, and every encrypted record after some key
// in its direction; messages in the clear say nothing of keys.
func checkKeysBeforeRecords(t *testing.T, rows []diagramRow) {
	t.Helper()
	installed := map[string]bool{}
	keys := map[string]int{}
	for i, r := range rows {
		dir := "read"
		if strings.HasSuffix(r.kind, "_sent") {
			dir = "write"
		}
		switch {
		case r.kind == "key_installed":
			level, d, ok := strings.Cut(strings.TrimSuffix(r.label, " key installed"), " ")
			if !ok {
				t.Fatalf("row %d: key row %q", i, r.label)
			}
			installed[level+" "+d] = true
			keys[d]++
		case strings.HasPrefix(r.kind, "message_") && r.cls == "msg enc":
			level, _, ok := strings.Cut(r.note, " keys")
			if !ok {
				t.Errorf("row %d: encrypted %s %s does not say its keys: %q", i, r.kind, r.label, r.note)
			} else if !installed[level+" "+dir] {
				t.Errorf("row %d: %s %s is drawn under %s keys before the %s %s key is installed", i, r.kind, r.label, level, level, dir)
			}
		case strings.HasPrefix(r.kind, "message_"):
			if r.cls != "msg clear" || strings.Contains(r.note, " keys") {
				t.Errorf("row %d: %s %s: class %q, note %q", i, r.kind, r.label, r.cls, r.note)
			}
		case strings.HasPrefix(r.kind, "record_") && r.cls == "rec enc":
			if keys[dir] == 0 {
				t.Errorf("row %d: encrypted %s %s before any %s key", i, r.kind, r.label, dir)
			}
		}
	}
}

// The diagram of a TLS 1.3 handshake: the hellos in the clear, then the
// server's compatibility change_cipher_spec and its handshake write key,
// then EncryptedExtensions to Finished under the handshake keys.
func TestDiagramTLS13Keys(t *testing.T) {
	f := getFixture(t)
	port := serveInspect(t, &https.Server{Inspect: true}, inspect.Options{})
	rt := f.transport(nil)
	base := "https://localhost:" + port
	rep, _ := report(t, rt, base)
	if rep.Connection.Shape != "tls13-full" {
		t.Errorf("shape %q, want tls13-full", rep.Connection.Shape)
	}
	_, body := fetch(t, rt, "GET", base+"/")
	page := string(body)
	if !strings.Contains(page, "<code>tls13-full</code>: TLS 1.3") {
		t.Error("the page does not name the handshake's shape with its summary")
	}
	rows := diagramRows(t, page)
	checkKeysBeforeRecords(t, rows)
	sh, ee := find(rows, "message_sent", "ServerHello"), find(rows, "message_sent", "EncryptedExtensions")
	ccs := findLabel(rows, "change_cipher_spec record, seq 0")
	key := findLabel(rows, "handshake write key installed")
	fin := find(rows, "message_sent", "Finished")
	if sh < 0 || ccs < 0 || key < 0 || ee < 0 || fin < 0 || !(sh < ccs && ccs < key && key < ee && ee < fin) {
		t.Errorf("rows ServerHello %d, change_cipher_spec %d, handshake write key %d, EncryptedExtensions %d, Finished %d: want them in this order", sh, ccs, key, ee, fin)
	}
	if ee >= 0 && (rows[ee].cls != "msg enc" || !strings.HasPrefix(rows[ee].note, "handshake keys")) {
		t.Errorf("EncryptedExtensions: %+v", rows[ee])
	}
	if sh >= 0 && rows[sh].cls != "msg clear" {
		t.Errorf("ServerHello: %+v", rows[sh])
	}
	if nst := find(rows, "message_sent", "NewSessionTicket"); nst >= 0 && !strings.HasPrefix(rows[nst].note, "application keys") {
		t.Errorf("NewSessionTicket: %+v", rows[nst])
	}
}

// In TLS 1.2 only Finished is encrypted, under the keys each side's
// change_cipher_spec switches to.
func TestDiagramTLS12Keys(t *testing.T) {
	f := getFixture(t)
	port := serveInspect(t, &https.Server{Inspect: true}, inspect.Options{})
	rt := f.transport(&tls.Config{MaxVersion: tls.VersionTLS12})
	rt.Protocol = https.ProtocolHTTP1
	base := "https://localhost:" + port
	rep, _ := report(t, rt, base)
	if rep.Connection.Shape != "tls12-ecdhe" {
		t.Errorf("shape %q, want tls12-ecdhe", rep.Connection.Shape)
	}
	_, body := fetch(t, rt, "GET", base+"/")
	rows := diagramRows(t, string(body))
	checkKeysBeforeRecords(t, rows)
	ccs := -1
	for i, r := range rows {
		if r.kind == "record_sent" && strings.HasPrefix(r.label, "change_cipher_spec record") {
			ccs = i
		}
	}
	key := findLabel(rows, "application write key installed")
	fin := find(rows, "message_sent", "Finished")
	if ccs < 0 || key < 0 || fin < 0 || !(ccs < key && key < fin) {
		t.Errorf("rows change_cipher_spec %d, application write key %d, Finished %d: want them in this order", ccs, key, fin)
	}
	for _, name := range []string{"Certificate", "ServerKeyExchange", "ServerHelloDone"} {
		if i := find(rows, "message_sent", name); i < 0 || rows[i].cls != "msg clear" {
			t.Errorf("%s is not drawn in the clear (row %d)", name, i)
		}
	}
	if i := find(rows, "message_received", "Finished"); i < 0 || rows[i].cls != "msg enc" || !strings.HasPrefix(rows[i].note, "application keys") {
		t.Errorf("the client's Finished is not drawn under the application keys (row %d)", i)
	}
}
