package inspect

import (
	"fmt"
	"html/template"
	"strings"
	"unicode/utf8"
)

// The sequence diagram's geometry, in SVG user units: the view box is
// narrow enough for a phone held upright and scales to the page's width.
const (
	svgWidth   = 360
	clientX    = 84
	serverX    = 306
	headTop    = 6
	headHeight = 26
	firstRow   = headTop + headHeight + 12
	maxRecords = 4 // application_data records drawn before "and N more"
)

// esc escapes text for SVG content and attribute values.
func esc(s string) string { return template.HTMLEscapeString(s) }

// trunc shortens s to n runes, with an ellipsis.
func trunc(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}

// diagram draws the connection's events as a sequence diagram: the client
// on the left, this server on the right, one row per message, alert,
// change of keys, check or decision, and the first application data
// records, with times relative to the first event, as the server saw them.
// Each message is drawn under the keys the shape table says protect it,
// after the key is installed (planDrawing); a row keeps its event's time,
// so a key moved up shows the moment the connection installed it. Every
// piece of text is escaped; the page's CSS styles the classes.
func diagram(rep *Report) template.HTML {
	if len(rep.Events) == 0 {
		return ""
	}
	var rows strings.Builder
	y := firstRow
	records := 0
	hidden := 0
	plan := planDrawing(rep)
	for _, i := range plan.order {
		e := rep.Events[i]
		switch e.Kind {
		case "message_sent", "message_received":
			label := e.Name
			if e.Length != nil {
				label += fmt.Sprintf(" (%d B)", *e.Length)
			}
			cls := "msg clear"
			note := messageNote(e)
			if keys := plan.keys[i]; keys != "" {
				cls = "msg enc"
				note = strings.TrimSuffix(keys+" keys · "+note, " · ")
			}
			y += 30
			arrowRow(&rows, i, e, y, label, note, cls)
			y += 12
		case "alert_sent", "alert_received":
			y += 30
			arrowRow(&rows, i, e, y, "alert: "+e.Name, "", "msg alert")
			y += 4
		case "record_sent", "record_received":
			switch e.ContentType {
			case "application_data":
				records++
				if records > maxRecords {
					hidden++
					continue
				}
			case "change_cipher_spec":
			default:
				continue // handshake records carry the messages drawn above
			}
			label := fmt.Sprintf("%s record, seq %d", e.ContentType, deref(e.Seq))
			note := fmt.Sprintf("%d B", deref(e.Length))
			cls := "rec clear"
			if deref(e.Epoch) > 0 {
				cls = "rec enc"
				note += fmt.Sprintf(", encrypted under epoch %d keys", deref(e.Epoch))
			}
			y += 26
			arrowRow(&rows, i, e, y, label, note, cls)
			y += 8
		case "key_installed":
			y += 18
			dir := "read"
			if e.Dir == "out" {
				dir = "write"
			}
			noteRow(&rows, i, e, y, "key", strings.TrimSuffix(e.Name, keySuffix)+" "+dir+" key installed")
		case "check", "decision":
			y += 18
			text := "✓ " + e.Detail
			cls := "check"
			if e.Kind == "decision" {
				text = "→ " + e.Name + ": " + e.Detail
				cls = "decision"
			}
			if e.Error != "" {
				text = "✗ " + e.Name + ": " + e.Error
				cls = "fail"
			}
			if e.Detail == "" && e.Error == "" {
				text = e.Name
			}
			noteRow(&rows, i, e, y, cls, text)
		}
	}
	if hidden > 0 {
		y += 20
		fmt.Fprintf(&rows, `<text class="more" x="%d" y="%d" text-anchor="middle">… and %s more application_data %s</text>`+"\n",
			(clientX+serverX)/2, y, fmt.Sprint(hidden), map[bool]string{true: "record", false: "records"}[hidden == 1])
	}
	height := y + 16

	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="seq" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %d %d" role="img" aria-labelledby="seq-title">`+"\n", svgWidth, height)
	b.WriteString(`<title id="seq-title">Sequence diagram of this connection's handshake: your client on the left, this server on the right, time running down</title>` + "\n")
	b.WriteString(`<defs>`)
	for _, m := range []string{"clear", "enc", "alert"} {
		fmt.Fprintf(&b, `<marker id="ah-%s" class="ah-%s" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z"/></marker>`, m, m)
	}
	b.WriteString("</defs>\n")
	for _, h := range []struct {
		x     int
		label string
	}{{clientX, "your client"}, {serverX, "this server"}} {
		fmt.Fprintf(&b, `<rect class="actor" x="%d" y="%d" width="92" height="%d" rx="4"/><text class="actor" x="%d" y="%d" text-anchor="middle">%s</text>`+"\n",
			h.x-46, headTop, headHeight, h.x, headTop+17, esc(h.label))
		fmt.Fprintf(&b, `<line class="life" x1="%d" y1="%d" x2="%d" y2="%d"/>`+"\n", h.x, headTop+headHeight, h.x, height-4)
	}
	fmt.Fprintf(&b, `<text class="tm" x="2" y="%d">ms</text>`+"\n", firstRow-2)
	b.WriteString(rows.String())
	b.WriteString("</svg>")
	return template.HTML(b.String())
}

func deref[T int | uint64](p *T) T {
	if p == nil {
		return 0
	}
	return *p
}

// stepBadge links a row to its seed step.
func stepBadge(w *strings.Builder, step, y int) {
	if step == 0 {
		return
	}
	fmt.Fprintf(w, `<a href="#step-%d"><circle class="badge" cx="%d" cy="%d" r="7"/><text class="badge" x="%d" y="%d" text-anchor="middle">%d</text></a>`,
		step, clientX-20, y-10, clientX-20, y-7, step)
}

// arrowRow draws one message or record at height y.
func arrowRow(w *strings.Builder, i int, e Event, y int, label, note, cls string) {
	x1, x2 := clientX, serverX
	if e.Dir == "out" {
		x1, x2 = serverX, clientX
	}
	marker := "clear"
	switch {
	case strings.Contains(cls, "alert"):
		marker = "alert"
	case strings.Contains(cls, "enc"):
		marker = "enc"
	}
	fmt.Fprintf(w, `<g class="row" id="ev-%d"><title>%s</title>`, i, esc(rowTitle(e)))
	fmt.Fprintf(w, `<text class="tm" x="2" y="%d">%s</text>`, y+3, esc(fmt.Sprintf("%.2f", e.TMs)))
	stepBadge(w, e.SeedStep, y)
	fmt.Fprintf(w, `<line class="%s" x1="%d" y1="%d" x2="%d" y2="%d" marker-end="url(#ah-%s)"/>`, esc(cls), x1, y, x2, y, marker)
	fmt.Fprintf(w, `<text class="label" x="%d" y="%d" text-anchor="middle">%s</text>`, (clientX+serverX)/2, y-5, esc(trunc(label, 40)))
	if note != "" {
		fmt.Fprintf(w, `<text class="note" x="%d" y="%d" text-anchor="middle">%s</text>`, (clientX+serverX)/2, y+12, esc(trunc(note, 48)))
	}
	w.WriteString("</g>\n")
}

// noteRow writes a key change, check or decision beside the server's
// lifeline.
func noteRow(w *strings.Builder, i int, e Event, y int, cls, text string) {
	fmt.Fprintf(w, `<g class="row" id="ev-%d"><title>%s</title>`, i, esc(rowTitle(e)))
	fmt.Fprintf(w, `<text class="tm" x="2" y="%d">%s</text>`, y, esc(fmt.Sprintf("%.2f", e.TMs)))
	stepBadge(w, e.SeedStep, y+3)
	fmt.Fprintf(w, `<circle class="dot %s" cx="%d" cy="%d" r="3"/>`, cls, serverX, y-4)
	fmt.Fprintf(w, `<text class="side %s" x="%d" y="%d" text-anchor="end">%s</text>`, cls, serverX-7, y, esc(trunc(text, 44)))
	w.WriteString("</g>\n")
}

// rowTitle is a row's tooltip: everything the event carries.
func rowTitle(e Event) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s at %.3f ms", e.Kind, e.Name, e.TMs)
	if e.Length != nil {
		fmt.Fprintf(&b, ", %d bytes", *e.Length)
	}
	if e.Detail != "" {
		b.WriteString(": " + e.Detail)
	}
	if e.Error != "" {
		b.WriteString(": " + e.Error)
	}
	for _, f := range e.Fields {
		switch v := f.Value.(type) {
		case []string:
			fmt.Fprintf(&b, "\n%s: %s", f.Key, strings.Join(v, ", "))
		default:
			fmt.Fprintf(&b, "\n%s: %v", f.Key, v)
		}
	}
	return b.String()
}

// messageNote is the short line under a message's arrow.
func messageNote(e Event) string {
	f := e.Fields
	switch e.Name {
	case "ClientHello":
		s := fmt.Sprintf("%d suites, %d groups", len(withoutGREASE(f.list("cipher_suites"))), len(withoutGREASE(f.list("supported_groups"))))
		if ks := withoutGREASE(greaseShares(f.list("key_shares"))); len(ks) > 0 {
			name, _, _ := strings.Cut(ks[0], " (")
			s += ", share " + name
			if len(ks) > 1 {
				s += fmt.Sprintf(" +%d", len(ks)-1)
			}
		}
		return s
	case "ServerHello":
		if f.get("hello_retry_request") != nil {
			return "HelloRetryRequest: send a share for " + f.str("selected_group")
		}
		s := f.str("cipher_suite")
		if ks := f.str("key_share"); ks != "" {
			name, _, _ := strings.Cut(ks, " (")
			s += ", " + name
		}
		return s
	case "EncryptedExtensions":
		if a := f.str("alpn"); a != "" {
			return "ALPN " + a
		}
	case "Certificate":
		if c := f.list("chain"); len(c) > 0 {
			return plural(len(c), "certificate", "certificates")
		}
		return "no certificate"
	case "CertificateVerify":
		return "signed with " + f.str("signature_scheme")
	case "ServerKeyExchange":
		return f.str("group") + ", signed with " + f.str("signature_scheme")
	case "CertificateRequest":
		return "asks for a client certificate"
	case "Finished":
		return "MAC over the whole handshake"
	case "NewSessionTicket":
		return fmt.Sprintf("ticket for resumption, %d s", f.num("lifetime_seconds"))
	case "ClientKeyExchange":
		return "the client's key exchange value"
	}
	return ""
}
