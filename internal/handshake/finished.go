package handshake

import (
	"crypto/hmac"

	"lucid/internal/alert"
	"lucid/internal/keys"
	"lucid/internal/suites"
	"lucid/internal/wire"
)

// checkFinished verifies the peer's Finished, the MAC over the whole
// handshake that the seed's step 6 describes, and adds it to the
// transcript. from is the peer's side; peerFinishedKey is the finished_key
// of its handshake traffic secret.
func checkFinished(cfg *Config, tr *transcript, suite *suites.Suite, peerFinishedKey []byte, typ uint8, msg []byte, from Side, fin *wire.Finished) error {
	want := keys.AppendFinishedMACKeyed(tr.mac[:0], suite.Hash, peerFinishedKey, tr.sum())
	// RFC 8446 §4.4.4: a wrong verify_data is decrypt_error.
	return matchFinished(cfg, tr, typ, msg, from, fin, want, " Finished MAC matches the transcript")
}

// finishedBuf is where this side's verify_data is built. Sending marshals
// the message at once, so the transcript's scratch serves, unless an
// observer is handed the message and may keep it.
func (e *Engine) finishedBuf() []byte {
	if e.cfg.Observe != nil {
		return make([]byte, 0, len(e.tr.mac))
	}
	return e.tr.mac[:0]
}

// checkFinished12 verifies a TLS 1.2 Finished: twelve bytes of PRF over
// the transcript, labelled by the sender's role (RFC 5246 §7.4.9).
func checkFinished12(cfg *Config, tr *transcript, suite *suites.Suite12, prf *keys.MasterPRF, master []byte, from Side, typ uint8, msg []byte, fin *wire.Finished) error {
	want := prf.AppendFinishedVerifyData(tr.mac[:0], suite.PRF, master, from == SideClient, tr.sum())
	return matchFinished(cfg, tr, typ, msg, from, fin, want, " Finished matches the transcript")
}

// matchFinished receives the peer's Finished into fin and holds its
// verify_data to want, the value this side computed over the transcript
// before it: a wrong length is decode_error, a wrong value decrypt_error
// (RFC 8446 §4.4.4, RFC 5246 §7.4.9). A match is added to the transcript
// and, for an observer, reported with matched after the side's name.
func matchFinished(cfg *Config, tr *transcript, typ uint8, msg []byte, from Side, fin *wire.Finished, want []byte, matched string) error {
	if err := receiveInto(cfg, typ, msg, wire.TypeFinished, fin, wire.ParseFinishedInto); err != nil {
		return err
	}
	who := from.String()
	if err := finishedLength(fin, len(want), who); err != nil {
		return err
	}
	if !hmac.Equal(want, fin.VerifyData) {
		return alert.New(alert.DecryptError, "%s Finished does not match the handshake transcript", who)
	}
	if cfg.Observe != nil { // the detail is built only for an observer
		cfg.check(finishedCheck(from), who+matched, nil)
	}
	tr.add(msg)
	return nil
}

// finishedLength checks verify_data against the length the suite fixes:
// the hash length in TLS 1.3 (RFC 8446 §4.4.4), 12 bytes for every TLS 1.2
// suite Lucid has (RFC 5246 §7.4.9). Another length is a malformed message,
// decode_error (RFC 8446 §6.2), not a MAC that fails, decrypt_error.
func finishedLength(fin *wire.Finished, want int, who string) error {
	if len(fin.VerifyData) != want {
		return alert.New(alert.DecodeError, "%s Finished carries %d bytes of verify_data, want %d", who, len(fin.VerifyData), want)
	}
	return nil
}

// applicationSecrets derives and logs the secrets that follow the server's
// Finished: both application traffic secrets and the exporter secret.
func applicationSecrets(cfg *Config, ms keys.MasterSecret, transcriptHash []byte, clientRandom [32]byte, r *Result) {
	r.ClientTraffic, r.ServerTraffic, r.Exporter = ms.Application(transcriptHash)
	logApplicationSecrets(cfg, clientRandom, r)
}

// logApplicationSecrets writes the secrets applicationSecrets derives to
// the key log, if there is one.
func logApplicationSecrets(cfg *Config, clientRandom [32]byte, r *Result) {
	cfg.keyLog(keys.LogClientTraffic, clientRandom, r.ClientTraffic)
	cfg.keyLog(keys.LogServerTraffic, clientRandom, r.ServerTraffic)
	cfg.keyLog(keys.LogExporter, clientRandom, r.Exporter)
}
