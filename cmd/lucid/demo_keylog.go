package main

import (
	"bytes"
	"encoding/hex"
	"io"
	"strings"
	"sync"
)

// ---- the key log ----

type keyLogEntry struct {
	label        string
	clientRandom []byte
	secret       []byte
}

// keyLog is a Config.KeyLogWriter that parses NSS key log lines
// ("LABEL <client random hex> <secret hex>") so the demo can show the
// labels and lengths without the values.
type keyLog struct {
	tee io.Writer

	mu      sync.Mutex
	partial []byte
	entries []keyLogEntry
}

func (k *keyLog) Write(p []byte) (int, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.tee != nil {
		k.tee.Write(p)
	}
	k.partial = append(k.partial, p...)
	for {
		i := bytes.IndexByte(k.partial, '\n')
		if i < 0 {
			break
		}
		line := strings.TrimSpace(string(k.partial[:i]))
		k.partial = k.partial[i+1:]
		f := strings.Fields(line)
		if len(f) != 3 || strings.HasPrefix(line, "#") {
			continue
		}
		cr, err1 := hex.DecodeString(f[1])
		secret, err2 := hex.DecodeString(f[2])
		if err1 != nil || err2 != nil {
			continue
		}
		k.entries = append(k.entries, keyLogEntry{label: f[0], clientRandom: cr, secret: secret})
	}
	return len(p), nil
}

func (k *keyLog) all() []keyLogEntry {
	k.mu.Lock()
	defer k.mu.Unlock()
	return append([]keyLogEntry(nil), k.entries...)
}
