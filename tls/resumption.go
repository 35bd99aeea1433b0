package tls

import (
	"fmt"
	"io"
	"sync"
	"time"

	"lucid/internal/handshake"
	"lucid/internal/session"
)

// ClientSessionState is a session a client may resume. It is opaque: it
// holds secrets and is meant only for a ClientSessionCache.
type ClientSessionState struct {
	s *handshake.ClientSession
}

// ClientSessionCache stores sessions for resumption, keyed by server name.
// Implementations must be safe for concurrent use.
type ClientSessionCache interface {
	// Get returns the session for sessionKey, if any.
	Get(sessionKey string) (session *ClientSessionState, ok bool)
	// Put stores cs for sessionKey; a nil cs removes the entry.
	Put(sessionKey string, cs *ClientSessionState)
}

// lruSessionCache is the LRU cache NewLRUClientSessionCache returns.
type lruSessionCache struct {
	c *session.ClientCache[*ClientSessionState]
}

// NewLRUClientSessionCache returns a ClientSessionCache that keeps the
// capacity most recently used sessions; capacity < 1 means 64.
func NewLRUClientSessionCache(capacity int) ClientSessionCache {
	return &lruSessionCache{c: session.NewClientCache[*ClientSessionState](capacity)}
}

func (l *lruSessionCache) Get(key string) (*ClientSessionState, bool) { return l.c.Get(key) }

func (l *lruSessionCache) Put(key string, cs *ClientSessionState) {
	if cs == nil {
		l.c.Delete(key)
		return
	}
	l.c.Put(key, cs)
}

// Server-side resumption: how many TLS 1.2 session IDs a Config remembers,
// and how often automatic ticket keys rotate.
const (
	serverCacheEntries = 4096
	ticketKeyRotation  = 24 * time.Hour
)

// serverResumption is a Config's server-side resumption state. Sessions
// from it are not trusted for what it holds: every resumption is admitted
// against the Config of the moment, whoever sealed the ticket.
type serverResumption struct {
	mu sync.Mutex
	// sealer encrypts with its first key and decrypts with any.
	sealer *session.Sealer
	// manual is true once SetSessionTicketKeys chose the keys.
	manual bool
	// auto holds automatic keys, newest first, and when the newest was made.
	auto    []session.TicketKey
	autoAt  time.Time
	idCache *session.ServerCache
	// fleet is the sealer of the fleet's keys, for a Config with a
	// SessionStore (fleet.go).
	fleet fleetSealer
	// earlyGuard is the anti-replay guard of a Config that accepts early
	// data without naming one (earlydata.go), shared with its clones.
	earlyGuard *MemoryEarlyDataGuard
}

var resumptionInit sync.Mutex

// clone is a copy of r that shares nothing mutable with it: the ticket keys
// r has now, which it keeps until it rotates or is given others, and an
// empty session-ID cache.
func (r *serverResumption) clone(lifetime time.Duration) *serverResumption {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.earlyGuard == nil {
		// Made now, if not yet, so that both hold the same one.
		r.earlyGuard = NewMemoryEarlyDataGuard(0, 0)
	}
	return &serverResumption{
		sealer:  r.sealer, // immutable
		manual:  r.manual,
		auto:    append([]session.TicketKey(nil), r.auto...),
		autoAt:  r.autoAt,
		idCache: session.NewServerCache(serverCacheEntries, lifetime),
		// The clone resumes r's tickets, so a replay refused by one
		// must be refused by the other.
		earlyGuard: r.earlyGuard,
	}
}

func (c *Config) serverResumption() *serverResumption {
	resumptionInit.Lock()
	defer resumptionInit.Unlock()
	if c.resumption == nil {
		c.resumption = &serverResumption{idCache: session.NewServerCache(serverCacheEntries, c.ticketLifetime())}
	}
	return c.resumption
}

func (c *Config) ticketLifetime() time.Duration {
	const most = 7 * 24 * time.Hour
	if c.TicketLifetime <= 0 || c.TicketLifetime > most {
		return most
	}
	return c.TicketLifetime
}

// SetSessionTicketKeys sets the keys that protect session tickets: the
// first encrypts new tickets and all of them decrypt, so keys can rotate,
// and servers that share them resume each other's sessions. Without it a
// server makes its own keys and rotates them daily.
func (c *Config) SetSessionTicketKeys(keys [][32]byte) error {
	sealer, err := session.NewSealer(keys)
	if err != nil {
		return fmt.Errorf("tls: %w", err)
	}
	r := c.serverResumption()
	r.mu.Lock()
	defer r.mu.Unlock()
	r.sealer, r.manual = sealer, true
	return nil
}

// ticketSealer returns the sealer for new handshakes, rotating automatic
// keys: a new one each day, the old ones kept while their tickets live.
func (r *serverResumption) ticketSealer(rand io.Reader, now time.Time, lifetime time.Duration) (*session.Sealer, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.manual {
		return r.sealer, nil
	}
	if r.sealer != nil && now.Sub(r.autoAt) < ticketKeyRotation && !now.Before(r.autoAt) {
		return r.sealer, nil
	}
	var k session.TicketKey
	if _, err := io.ReadFull(rand, k[:]); err != nil {
		return nil, fmt.Errorf("tls: making a session ticket key: %w", err)
	}
	keep := int(lifetime/ticketKeyRotation) + 1
	r.auto = append([]session.TicketKey{k}, r.auto...)
	if len(r.auto) > keep {
		r.auto = r.auto[:keep]
	}
	sealer, err := session.NewSealer(r.auto)
	if err != nil {
		return nil, err
	}
	r.sealer, r.autoAt = sealer, now
	return sealer, nil
}

// clientSessionKey names a client's sessions in its cache: the server name,
// or the address when there is none.
func (c *Conn) clientSessionKey() string {
	if c.config.ServerName != "" {
		return c.config.ServerName
	}
	return c.conn.RemoteAddr().String()
}

// resumptionConfig fills the engine's resumption settings.
func (c *Conn) resumptionConfig(hc *handshake.Config) error {
	cfg := c.config
	hc.TicketLifetime = cfg.ticketLifetime()
	hc.PSKWithoutKeyExchange = cfg.PSKWithoutKeyExchange
	if c.isClient {
		cache := cfg.ClientSessionCache
		if cache == nil {
			return nil
		}
		hc.TicketsWanted = !cfg.SessionTicketsDisabled
		key := c.clientSessionKey()
		// The engine admits the session against this Config before it
		// offers it — versions, lifetime, server name, and the recorded
		// chain verified as a new one would be — and drops it otherwise.
		if cs, ok := cache.Get(key); ok && cs != nil && cs.s != nil {
			hc.Session = cs.s
			hc.DropSession = func() { cache.Put(key, nil) }
		}
		hc.OnSession = func(s *handshake.ClientSession) {
			cache.Put(key, &ClientSessionState{s: s})
		}
		return nil
	}
	r := cfg.serverResumption()
	hc.Issuer = cfg.ServerID
	if len(cfg.ServerID) > MaxServerIDLen {
		return fmt.Errorf("tls: Config.ServerID is %d bytes, more than %d", len(cfg.ServerID), MaxServerIDLen)
	}
	if cfg.SessionStore != nil {
		c.fleetResumptionConfig(hc, r)
		return nil
	}
	hc.SessionIDs = r.idCache
	if !cfg.SessionTicketsDisabled {
		sealer, err := r.ticketSealer(cfg.rand(), cfg.now(), hc.TicketLifetime)
		if err != nil {
			return err
		}
		hc.Tickets = sealer
	}
	return nil
}

// EarlyData reports what 0-RTT the session allows: at most maxBytes of
// early data (0 when its ticket carries no early_data, or for a TLS 1.2
// session), sent only when the connection offers alpn, the protocol the
// session negotiated ("" for none), as its first ALPN protocol. A client
// reads it to decide, before a connection exists, whether to defer the
// handshake to its first write. A Lucid addition.
func (cs *ClientSessionState) EarlyData() (maxBytes uint32, alpn string) {
	if cs == nil || cs.s == nil || cs.s.State == nil || cs.s.State.Version != VersionTLS13 {
		return 0, ""
	}
	return cs.s.State.MaxEarlyData, cs.s.State.ALPN
}
