package inspect

import (
	"strings"

	"lucid/internal/handshake"
)

// The diagram draws each message under the keys that protect it, and each
// key before the first message it protects. Neither can be read off the
// events alone: an engine reports a whole flight (EncryptedExtensions to
// Finished) as it builds it, and the connection installs the key the
// flight goes under only when it carries out the engine's actions, so the
// key_installed event comes after the messages it protects. The shape
// table knows both: the level of every message of every shape, and that
// a key step comes before every message it protects.

// drawing is the plan of a diagram: the order to draw the report's events
// in, and the keys protecting each message.
type drawing struct {
	// order holds indexes into Report.Events.
	order []int
	// keys names, for each event that is a message, the level of the keys
	// protecting it ("handshake", "application"), or "" in the clear.
	keys []string
}

// keySuffix ends the name of a key_installed event ("handshake traffic
// key"); the rest is the level.
const keySuffix = " traffic key"

// planDrawing reads the protection of every message from the shape table
// row rep.Connection.Shape names, and moves each key install (with the
// change_cipher_spec the shape sends just before it) up to the first
// message it protects. A message the shape does not list, such as a
// KeyUpdate, travels under the last key installed in its direction; so
// does every message of a report that names no shape.
func planDrawing(rep *Report) drawing {
	shape, _ := handshake.ShapeNamed(rep.Connection.Shape)
	n := len(rep.Events)
	d := drawing{order: make([]int, 0, n), keys: make([]string, n)}
	var last [2]string // the level of the last key installed, in and out
	for i, e := range rep.Events {
		out := e.Dir == "out"
		switch e.Kind {
		case "key_installed":
			last[dirIndex(out)] = strings.TrimSuffix(e.Name, keySuffix)
		case "message_sent", "message_received":
			from := handshake.SideClient
			if out {
				from = handshake.SideServer
			}
			if level, ok := shape.Protection(from, e.Name); ok {
				if level != handshake.LevelInitial {
					d.keys[i] = level.String()
				}
			} else if l := last[dirIndex(out)]; l != handshake.LevelInitial.String() {
				d.keys[i] = l
			}
		}
	}

	// before[m] are the events to draw just ahead of event m.
	before := map[int][]int{}
	moved := make([]bool, n)
	placed := map[[2]string]bool{}
	for k, e := range rep.Events {
		if e.Kind != "key_installed" {
			continue
		}
		out := e.Dir == "out"
		level := strings.TrimSuffix(e.Name, keySuffix)
		if placed[[2]string{e.Dir, level}] {
			continue // a later key of the same level, after a KeyUpdate
		}
		placed[[2]string{e.Dir, level}] = true
		first := -1
		for m := range k {
			if strings.HasPrefix(rep.Events[m].Kind, "message_") && (rep.Events[m].Dir == "out") == out && d.keys[m] == level {
				first = m
				break
			}
		}
		if first < 0 {
			continue
		}
		var lift []int
		if ccsBeforeKey(shape, out, level) {
			// The change_cipher_spec record this side sent or received
			// last before the key: it switched to the key.
			for c := k - 1; c > first; c-- {
				r := rep.Events[c]
				if strings.HasPrefix(r.Kind, "record_") && r.ContentType == "change_cipher_spec" && (r.Dir == "out") == out {
					lift, moved[c] = append(lift, c), true
					break
				}
			}
		}
		before[first] = append(before[first], append(lift, k)...)
		moved[k] = true
	}
	for i := range n {
		d.order = append(d.order, before[i]...)
		if !moved[i] {
			d.order = append(d.order, i)
		}
	}
	return d
}

// ccsBeforeKey reports whether, in shape, the server (out) or the client
// sends a change_cipher_spec record right before the server starts to
// write, or read, under level: TLS 1.2's change_cipher_spec, or TLS 1.3's
// compatibility record just before the handshake keys.
func ccsBeforeKey(shape handshake.Shape, out bool, level string) bool {
	kind, sender := handshake.StepReadKey, handshake.SideClient
	if out {
		kind, sender = handshake.StepWriteKey, handshake.SideServer
	}
	steps := shape.Steps()
	for i, s := range steps {
		if s.Kind != kind || s.Side != handshake.SideServer || s.Key.String() != level {
			continue
		}
		// Keys the other side installs meanwhile do not cross the wire.
		for j := i - 1; j >= 0; j-- {
			p := steps[j]
			if p.Kind == handshake.StepReadKey || p.Kind == handshake.StepWriteKey {
				continue
			}
			return p.Kind == handshake.StepChangeCipherSpec && p.Side == sender
		}
		return false
	}
	return false
}

func dirIndex(out bool) int {
	if out {
		return 1
	}
	return 0
}
