package conn

import (
	"lucid/internal/alert"
	"lucid/internal/handshake"
	"lucid/internal/keys"
	"lucid/internal/version"
	"lucid/internal/wire"
)

var errSpansKeyChange = alert.New(alert.UnexpectedMessage, "handshake message spans a key change")

func errUnknownSuite(id uint16) error {
	return alert.New(alert.IllegalParameter, "the ServerHello chose cipher suite 0x%04x, which the decoder does not know", id)
}

// lookup asks the key log for label's secret of this connection.
func (d *Decoder) lookup(label string) []byte {
	if d.secret == nil || d.hello == nil {
		return nil
	}
	return d.secret(label, d.hello.Random)
}

// install13 moves a TLS 1.3 side to the traffic secret the key log holds
// under label. Without it the side's records are protected but unread.
func (d *Decoder) install13(dir *decodeDir, label string, level handshake.Level, out *DecodedRecord) {
	dir.protected, dir.level, dir.label, dir.updates = true, level, label, 0
	dir.opener, dir.traffic = nil, handshake.Traffic{}
	dir.epoch++
	secret := d.lookup(label)
	if secret == nil || d.suite13 == nil {
		return
	}
	d.use13(dir, handshake.Traffic{Suite: d.suite13, Secret: secret}, out)
}

// update13 follows a KeyUpdate to the side's next traffic secret (RFC 8446
// §4.6.3).
func (d *Decoder) update13(dir *decodeDir, out *DecodedRecord) {
	dir.updates++
	dir.epoch++
	if dir.traffic.Suite == nil {
		dir.opener = nil
		return
	}
	d.use13(dir, dir.traffic.Next(), out)
}

// use13 installs t's protection, built the way the engine builds it.
func (d *Decoder) use13(dir *decodeDir, t handshake.Traffic, out *DecodedRecord) {
	p, err := t.Protection()
	if err != nil {
		dir.opener = nil
		return
	}
	dir.opener, dir.traffic = p, t
	// Protection keeps its key and IV to itself; they are derived again
	// here only to be shown.
	key, iv := keys.TrafficKey(t.Suite.Hash, t.Secret, t.Suite.KeyLen)
	out.Keys = append(out.Keys, DecodedKey{FromClient: dir.fromClient, Level: dir.level, Secret: dir.label, Updates: dir.updates, Key: key, IV: iv})
}

// expand12 expands TLS 1.2's key block from the logged master secret (RFC
// 5246 §6.3) into both sides' protection; each goes into use at its own
// side's change_cipher_spec.
func (d *Decoder) expand12(out *DecodedRecord) {
	s, master := d.suite12, d.lookup(keys.LogMaster)
	if s == nil || master == nil || d.server == nil {
		return
	}
	kb := handshake.SplitKeyBlock12(s, master, d.hello.Random, d.server.Random)
	for _, h := range []struct {
		dir  *decodeDir
		keys handshake.Keys12
	}{{d.dir(true), kb.Client}, {d.dir(false), kb.Server}} {
		o, err := handshake.Opener12(s, h.keys)
		if err != nil {
			continue
		}
		h.dir.next12 = o
		out.Keys = append(out.Keys, DecodedKey{FromClient: h.dir.fromClient, Level: handshake.LevelApplication, Secret: keys.LogMaster, Key: h.keys.Key, IV: h.keys.IV, MACKey: h.keys.MAC})
	}
}

// finished re-computes a Finished message's verify_data from the key log:
// TLS 1.3's HMAC under the sender's handshake traffic secret (RFC 8446
// §4.4.4), TLS 1.2's PRF of the master secret (RFC 5246 §7.4.9).
func (d *Decoder) finished(m *DecodedMessage) []byte {
	if m.Type != wire.TypeFinished || m.Transcript == nil {
		return nil
	}
	if d.version == version.TLS13 && d.suite13 != nil {
		label := keys.LogServerHandshake
		if m.FromClient {
			label = keys.LogClientHandshake
		}
		if s := d.lookup(label); s != nil {
			return keys.FinishedMAC(d.suite13.Hash, s, m.Transcript)
		}
		return nil
	}
	if d.version == version.TLS12 && d.suite12 != nil {
		if master := d.lookup(keys.LogMaster); master != nil {
			return keys.FinishedVerifyData12(d.suite12.PRF, master, m.FromClient, m.Transcript)
		}
	}
	return nil
}
