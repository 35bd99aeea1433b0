// Package redisstore keeps a fleet's shared resumption state in Redis: the
// session ticket keys, the TLS 1.2 sessions named by session ID, and the
// early-data anti-replay guard. A *Store is a tls.SessionStore; give the
// same Redis, prefix and key-encryption key to every server of the fleet.
//
// The client is github.com/redis/go-redis/v9, the official Go client,
// maintained by Redis: every call takes a context (which is how each store
// call stays within tls.SessionStoreTimeout), connections are pooled and
// shared by all handshakes, and it speaks RESP3.
//
// What is kept in Redis, under a prefix (default "lucid:"):
//
//	PREFIX tk        hash: key id -> sealed ticket key record (keyrecord.go)
//	PREFIX tk:lock   string: the rotation lock, with an expiry
//	PREFIX s:HEX     string: a sealed TLS 1.2 session, expiring with it
//	PREFIX ed:HEX    string: an admitted early-data id (SHA-256), expiring
//	                 at the end of its replay window
//
// Sessions and ticket keys are sealed before they reach Redis (sessions by
// the TLS servers with the ticket keys, ticket keys by the store with the
// key-encryption key), so Redis holds nothing that opens a session.
//
// When Redis fails, a store answers with errors within the caller's
// context and the TLS server falls back to full handshakes (and refuses
// early data); TicketKeys keeps answering from its cache. The store
// notices on its own when Redis returns, and logs each change of state
// once.
package redisstore

import (
	"context"
	"crypto/cipher"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/redis/go-redis/v9/maintnotifications"

	"lucid/tls"
)

// Defaults of Options.
const (
	DefaultPrefix          = "lucid:"
	DefaultRotationPeriod  = 24 * time.Hour
	DefaultRefreshInterval = 10 * time.Second
	// defaultTicketLifetime is Lucid's longest ticket lifetime (and
	// RFC 8446 §4.6.1's), which old keys must outlive by default.
	defaultTicketLifetime = 7 * 24 * time.Hour
)

// networkTimeout bounds each dial, read and write of the Redis client, so
// that a call fails on its own well within tls.SessionStoreTimeout even
// when a caller's context has a longer deadline.
const networkTimeout = tls.SessionStoreTimeout * 4 / 5

// Options configures a Store.
type Options struct {
	// URL names the Redis server and database: redis://HOST:PORT/DB
	// (or rediss:// for TLS), with a user and password if Redis wants
	// them. It is parsed by redis.ParseURL.
	URL string
	// Prefix starts every Redis key the store uses, so that several
	// fleets (or other applications) can share one Redis; "" means
	// "lucid:". The sealed ticket keys are bound to it: a fleet that
	// changes its prefix starts with new keys.
	Prefix string
	// KEK is the key-encryption key that seals ticket keys in Redis
	// (LoadKEK, KEKFromEnv). Every server of the fleet needs the same.
	KEK [32]byte
	// RotationPeriod is how long a ticket key is used for new tickets
	// before a new one replaces it; 0 means 24 hours.
	RotationPeriod time.Duration
	// KeepPeriod is how long a ticket key still opens tickets after a
	// newer one replaced it for sealing. It must be at least the
	// servers' ticket lifetime (tls.Config.TicketLifetime), or tickets
	// stop resuming before they expire. 0 means 7 days plus
	// RotationPeriod.
	KeepPeriod time.Duration
	// RefreshInterval is how often the in-memory copy of the ticket
	// keys is read again from Redis; 0 means 10 seconds. A new key is
	// published 2 × RefreshInterval before servers seal with it.
	RefreshInterval time.Duration
	// Logger receives the store's changes of state (Redis unreachable,
	// reachable again, a key that does not open); nil means
	// slog.Default().
	Logger *slog.Logger
}

// Store is a tls.SessionStore in Redis. It is safe for concurrent use.
type Store struct {
	client *redis.Client
	prefix string
	aead   cipher.AEAD
	log    *slog.Logger

	rotation, keep, refresh, retry time.Duration

	// keys is the ticket key cache (ticketkeys.go).
	keys keyCache

	healthMu sync.Mutex
	// unhealthy is true from the failure that made the store log
	// "unreachable" to the success that makes it log "reachable again".
	unhealthy bool
	// answered counts the calls answered in a row since the last
	// failure, while unhealthy.
	answered int
}

var _ tls.SessionStore = (*Store)(nil)

// New returns a store on the Redis of opts.URL. It does not contact Redis:
// a server must start, and serve full handshakes, while Redis is down.
// Call Ping to check the connection now.
func New(opts Options) (*Store, error) {
	if opts.URL == "" {
		return nil, errors.New("redisstore: no Redis URL (redis://HOST:PORT/DB)")
	}
	ropts, err := redis.ParseURL(opts.URL)
	if err != nil {
		return nil, fmt.Errorf("redisstore: %w", err)
	}
	if opts.KEK == ([32]byte{}) {
		return nil, errors.New("redisstore: no key-encryption key (the KEK is all zeros)")
	}
	s := &Store{
		prefix:   opts.Prefix,
		log:      opts.Logger,
		rotation: opts.RotationPeriod,
		keep:     opts.KeepPeriod,
		refresh:  opts.RefreshInterval,
	}
	if s.prefix == "" {
		s.prefix = DefaultPrefix
	}
	if s.log == nil {
		s.log = slog.Default()
	}
	if s.rotation == 0 {
		s.rotation = DefaultRotationPeriod
	}
	if s.keep == 0 {
		s.keep = defaultTicketLifetime + s.rotation
	}
	if s.refresh == 0 {
		s.refresh = DefaultRefreshInterval
	}
	if s.rotation < 0 || s.keep < 0 || s.refresh < 0 {
		return nil, errors.New("redisstore: negative rotation, keep or refresh period")
	}
	if s.rotation <= 2*s.refresh {
		// A new key waits 2 × refresh before it is used: a rotation
		// period shorter than that would rotate again before the last
		// key was ever used.
		return nil, fmt.Errorf("redisstore: rotation period %v must be longer than twice the refresh interval %v", s.rotation, s.refresh)
	}
	// A failed refresh is retried at most once a second (no sooner than
	// a refresh would be), not on every handshake.
	s.retry = min(time.Second, s.refresh)
	if s.aead, err = recordAEAD(&opts.KEK); err != nil {
		return nil, fmt.Errorf("redisstore: %w", err)
	}

	// Each call is bounded by its context and by networkTimeout per
	// network step; a retry could take a call past its deadline, so
	// there is none, here or in the dialer.
	ropts.ContextTimeoutEnabled = true
	ropts.DialTimeout = boundTimeout(ropts.DialTimeout)
	ropts.ReadTimeout = boundTimeout(ropts.ReadTimeout)
	ropts.WriteTimeout = boundTimeout(ropts.WriteTimeout)
	ropts.PoolTimeout = boundTimeout(ropts.PoolTimeout)
	ropts.MaxRetries = -1
	ropts.DialerRetries = 1
	// Fewer round trips on each new connection, which matters most
	// when connections are being remade after Redis returned.
	ropts.DisableIdentity = true
	ropts.MaintNotificationsConfig = &maintnotifications.Config{Mode: maintnotifications.ModeDisabled}
	s.keys.sem = make(chan struct{}, 1)
	s.client = redis.NewClient(ropts)
	routeClientLog(s.log)
	return s, nil
}

// boundTimeout returns d if it is set and within networkTimeout, and
// networkTimeout otherwise.
func boundTimeout(d time.Duration) time.Duration {
	if d <= 0 || d > networkTimeout {
		return networkTimeout
	}
	return d
}

// Close closes the connections to Redis. The store is unusable after.
func (s *Store) Close() error {
	return s.client.Close()
}

// Ping checks that Redis answers, within ctx, and records the result like
// any other call (Healthy).
func (s *Store) Ping(ctx context.Context) error {
	err := s.client.Ping(ctx).Err()
	s.observe(ctx, err)
	if err != nil {
		return fmt.Errorf("redisstore: %w", err)
	}
	return nil
}

// Healthy reports whether Redis is reachable, as the calls found it: false
// from the first call that fails, true again after recoveryAnswers calls
// in a row were answered. It changes only with calls: a store nobody calls
// keeps its last verdict. A new store is healthy until a call fails.
func (s *Store) Healthy() bool {
	s.healthMu.Lock()
	defer s.healthMu.Unlock()
	return !s.unhealthy
}

// observe records what a call to Redis says about its reachability, and
// logs a change of state once. redis.Nil (no such key) is an answer; any
// other error, an error reply included (a Redis still loading its data,
// or refusing writes, is as useless to the fleet as one that is down),
// counts as unreachable. A caller that gave up, its context canceled
// rather than timed out, proves nothing either way.
func (s *Store) observe(ctx context.Context, err error) {
	down := err != nil && !errors.Is(err, redis.Nil)
	if down && errors.Is(err, context.Canceled) && errors.Is(ctx.Err(), context.Canceled) {
		return
	}
	s.healthMu.Lock()
	changed := false
	switch {
	case down:
		s.answered = 0
		changed, s.unhealthy = !s.unhealthy, true
	case s.unhealthy:
		// Back only after several answers in a row: a Redis that
		// answers some calls within the deadline and not others is
		// down for the fleet, and logged so once, not once per call.
		s.answered++
		if s.answered >= recoveryAnswers {
			changed, s.unhealthy = true, false
		}
	}
	s.healthMu.Unlock()
	if !changed {
		return
	}
	if down {
		s.log.Warn("session store unreachable: "+err.Error(), "store", "redis", "addr", s.client.Options().Addr)
	} else {
		s.log.Info("session store reachable again", "store", "redis", "addr", s.client.Options().Addr)
	}
}

// recoveryAnswers is how many calls in a row Redis must answer before a
// store that found it unreachable says it is back.
const recoveryAnswers = 3

// wrap gives a Redis error the store's context.
func wrap(what string, err error) error {
	return fmt.Errorf("redisstore: %s: %w", what, err)
}

// clientLog is go-redis's process-wide logger while a store exists.
var clientLog sync.Once

// routeClientLog sends go-redis's own log lines (one for every failed
// dial) to logger at debug level. The store logs reachability itself,
// once per change; the client's lines would repeat it for every
// connection it fails to make. go-redis has one logger per process, so
// the first store's logger gets them.
func routeClientLog(logger *slog.Logger) {
	clientLog.Do(func() {
		redis.SetLogger(clientLogger{logger})
	})
}

type clientLogger struct{ l *slog.Logger }

func (c clientLogger) Printf(ctx context.Context, format string, v ...any) {
	c.l.DebugContext(ctx, fmt.Sprintf(format, v...), "store", "redis")
}
