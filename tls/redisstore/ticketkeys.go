package redisstore

import (
	"cmp"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"
)

// Ticket keys live in one Redis hash, PREFIX "tk", one field per key (its
// random id) holding the sealed record (keyrecord.go): one HGETALL reads
// them all. Each server keeps them in memory and reads the hash again
// every RefreshInterval, so a handshake normally costs no round trip.
//
// Rotation. A server that reads the hash and finds it empty, or finds the
// newest key older than RotationPeriod, takes the lock PREFIX "tk:lock"
// (SET NX with an expiry, so a server that dies holding it blocks nobody
// for long), reads the hash again (another server may just have rotated),
// and adds a new key whose activation time is 2 × RefreshInterval ahead.
// Until then every server still seals with the previous key and already
// opens with the new one; by then every server has read it, and all switch
// at their activation check. A server left with nothing to seal with (the
// fleet's very first key) makes its key active at once. Keys whose
// successor has been active for KeepPeriod are deleted from the hash by
// whichever server rotates, and dropped from memory by all.
//
// Redis restarted empty: the next server to refresh finds no keys and makes
// a new one (pending, so the fleet keeps sealing with the keys it has in
// memory until everyone has the new one). Servers keep the keys they have
// in memory for opening until their keep period ends, so tickets issued
// before the restart still resume on the servers that had their key;
// a server started after the restart cannot open them (a full handshake).
// Keys are not written back to Redis from memory: deleting the hash is how
// an operator withdraws keys, and a server must not undo it. (A withdrawn
// key still opens tickets on the servers that hold it in memory until its
// keep period ends or they restart; restart them to withdraw it at once.)

const (
	// lockTTL bounds how long a crashed rotation blocks the next: far
	// longer than the few round trips a rotation takes within one
	// tls.SessionStoreTimeout.
	lockTTL = 5 * time.Second
	// maxKeys bounds how many keys a store uses. With daily rotation and
	// a week's tickets there are about nine; more means somebody filled
	// the hash, and the newest are kept.
	maxKeys = 64
	// maxBadIDs bounds the set of unopenable key ids already logged.
	maxBadIDs = 1024
)

// ErrWrongKEK is the error of TicketKeys when Redis holds ticket keys but
// none opens with the store's key-encryption key: the server was given
// another KEK than the fleet's. The store does not make keys of its own
// then, which would split the fleet; to change the fleet's KEK, stop using
// the old keys by deleting the hash (DEL PREFIX tk).
var ErrWrongKEK = errors.New("redisstore: the ticket keys in Redis do not open with this key-encryption key; give this server the fleet's KEK (or, to change the fleet's KEK, delete the key hash)")

// errLocked is what a rotation finds when another server holds the lock.
var errLocked = errors.New("redisstore: another server is rotating the ticket keys")

// keyCache is a store's in-memory copy of the ticket keys.
type keyCache struct {
	// sem admits one refresh at a time; the other callers answer from
	// the cache meanwhile, or wait for it when there is none.
	sem chan struct{}

	mu sync.Mutex
	// records are the keys, sorted by activation time.
	records []keyRecord
	// fetched is when Redis was last read; attempted when it was last
	// tried, and lastErr why that failed, if it did.
	fetched, attempted time.Time
	lastErr            error
	// attempts counts the reads of Redis, for the tests of the back-off.
	attempts int
	// bad holds the ids of keys that did not open, each logged once.
	bad map[string]struct{}
}

// releaseScript deletes the lock only if it still holds this server's
// token: a rotation that outlived lockTTL must not delete the lock of the
// server that took it over.
var releaseScript = redis.NewScript(`if redis.call("GET", KEYS[1]) == ARGV[1] then return redis.call("DEL", KEYS[1]) end return 0`)

func (s *Store) keyHash() string { return s.prefix + "tk" }
func (s *Store) lockKey() string { return s.prefix + "tk:lock" }

// TicketKeys implements tls.SessionStore. It answers from memory while
// the keys were read from Redis less than RefreshInterval ago, reads them
// again (and rotates them when due) otherwise. With Redis out of reach it
// keeps answering with the keys it has, trying Redis again at most once a
// second; with no keys in memory it returns an error.
func (s *Store) TicketKeys(ctx context.Context) ([][32]byte, error) {
	c := &s.keys
	now := time.Now()
	c.mu.Lock()
	have := len(c.records) > 0
	if have && now.Sub(c.fetched) < s.refresh {
		defer c.mu.Unlock()
		return c.list(now)
	}
	if c.lastErr != nil && now.Sub(c.attempted) < s.retry {
		defer c.mu.Unlock()
		if have {
			return c.list(now)
		}
		return nil, fmt.Errorf("redisstore: no ticket keys: %w", c.lastErr)
	}
	c.mu.Unlock()

	if !tryAcquire(c.sem) {
		if have {
			// Another call is reading Redis already.
			return s.cachedKeys(now)
		}
		select {
		case c.sem <- struct{}{}:
		case <-ctx.Done():
			return nil, fmt.Errorf("redisstore: no ticket keys yet: %w", ctx.Err())
		}
	}
	defer func() { <-c.sem }()

	// The call that held the semaphore may have refreshed already.
	c.mu.Lock()
	done := len(c.records) > 0 && time.Since(c.fetched) < s.refresh
	c.mu.Unlock()
	if done {
		return s.cachedKeys(time.Now())
	}
	if err := s.refreshKeys(ctx, false); err != nil && !s.haveKeys() {
		return nil, err
	}
	return s.cachedKeys(time.Now())
}

// Rotate makes a new ticket key now, whatever its schedule, for an
// operator (or a test). Like a scheduled rotation, the new key is
// published first and used for sealing 2 × RefreshInterval later; the
// others stay until their keep period ends.
func (s *Store) Rotate(ctx context.Context) error {
	select {
	case s.keys.sem <- struct{}{}:
	case <-ctx.Done():
		return fmt.Errorf("redisstore: rotating the ticket keys: %w", ctx.Err())
	}
	defer func() { <-s.keys.sem }()
	return s.refreshKeys(ctx, true)
}

func tryAcquire(sem chan struct{}) bool {
	select {
	case sem <- struct{}{}:
		return true
	default:
		return false
	}
}

func (s *Store) haveKeys() bool {
	s.keys.mu.Lock()
	defer s.keys.mu.Unlock()
	return len(s.keys.records) > 0
}

func (s *Store) cachedKeys(now time.Time) ([][32]byte, error) {
	s.keys.mu.Lock()
	defer s.keys.mu.Unlock()
	return s.keys.list(now)
}

// refreshKeys reads the keys from Redis, rotates them when due (or when
// force is set), and merges them into the cache. The caller holds the
// semaphore.
func (s *Store) refreshKeys(ctx context.Context, force bool) error {
	now := time.Now()
	recs, err := s.readKeys(ctx)
	if err == nil && (force || s.rotationDue(recs, now)) {
		var made []keyRecord
		made, err = s.rotate(ctx, force, now)
		switch {
		case err == nil:
			recs = made
		case errors.Is(err, errLocked) && !force && (len(recs) > 0 || s.haveKeys()):
			// Another server is at it; its key arrives with a later
			// refresh, and the current keys serve meanwhile.
			err = nil
		case errors.Is(err, errLocked) && !force:
			// Another server is making the fleet's first key, and this
			// one has nothing to seal with meanwhile: wait for it,
			// within ctx.
			recs, err = s.awaitFirstKey(ctx)
		}
	}
	c := &s.keys
	c.mu.Lock()
	defer c.mu.Unlock()
	c.attempted = now
	c.attempts++
	c.lastErr = err
	if err != nil && (len(recs) == 0 || force) {
		return err
	}
	c.records = s.merge(recs, c.records, now)
	c.fetched = now
	return err
}

// awaitFirstKey reads the keys until another server's first key appears
// or ctx ends.
func (s *Store) awaitFirstKey(ctx context.Context) ([]keyRecord, error) {
	pause := time.Millisecond
	for {
		recs, err := s.readKeys(ctx)
		switch {
		case err != nil:
			return nil, err
		case len(recs) > 0:
			return recs, nil
		}
		t := time.NewTimer(pause)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil, fmt.Errorf("redisstore: waiting for another server's first ticket key: %w", ctx.Err())
		case <-t.C:
		}
		pause = min(2*pause, 20*time.Millisecond)
	}
}

// boundedKeysScript is HGETALL with its reply bounded inside Redis: at
// most ARGV[1] fields, each with a name of at most ARGV[2] bytes and a
// value of at most ARGV[3], the rest counted but not sent. Whatever
// somebody wrote into the hash, a server never allocates more than a
// record's worth per key it can use.
var boundedKeysScript = redis.NewScript(`
local out, skipped = {}, 0
local all = redis.call("HGETALL", KEYS[1])
for i = 1, #all, 2 do
	if #out < 2 * tonumber(ARGV[1]) and #all[i] <= tonumber(ARGV[2]) and #all[i+1] <= tonumber(ARGV[3]) then
		out[#out+1] = all[i]
		out[#out+1] = all[i+1]
	else
		skipped = skipped + 1
	end
end
out[#out+1] = tostring(skipped)
return out`)

// maxKeyIDLen bounds a key's field name in the hash; ids are 16 hex
// digits.
const maxKeyIDLen = 64

// readKeys returns the keys in Redis that open, sorted by activation:
// ErrWrongKEK when there are keys and none opens.
func (s *Store) readKeys(ctx context.Context) ([]keyRecord, error) {
	hash := s.keyHash()
	reply, err := boundedKeysScript.Run(ctx, s.client, []string{hash}, maxKeys, maxKeyIDLen, sealedRecordLen).StringSlice()
	s.observe(ctx, err)
	if err != nil {
		return nil, wrap("reading the ticket keys", err)
	}
	if len(reply)%2 != 1 {
		return nil, fmt.Errorf("redisstore: reading the ticket keys: a reply of %d items", len(reply))
	}
	skipped, _ := strconv.Atoi(reply[len(reply)-1])
	fields := reply[:len(reply)-1] // id, record, id, record…
	if skipped > 0 {
		s.logBadKey(fmt.Sprintf("(%d fields)", skipped), errors.New("too long to be ticket keys, or beyond the first 64"))
	}
	recs := make([]keyRecord, 0, min(len(fields)/2, maxKeys))
	bad := 0
	for i := 0; i < len(fields); i += 2 {
		id, v := fields[i], fields[i+1]
		created, activates, key, err := openRecord(s.aead, []byte(v), recordAD(hash, id))
		if err != nil {
			bad++
			s.logBadKey(id, err)
			continue
		}
		recs = append(recs, keyRecord{id: id, created: created, activates: activates, key: key})
	}
	sortRecords(recs)
	if len(recs) > maxKeys {
		s.log.Warn(fmt.Sprintf("redisstore: %d ticket keys in %s; using the newest %d", len(recs), hash, maxKeys), "store", "redis")
		recs = slices.Delete(recs, 0, len(recs)-maxKeys)
	}
	if len(recs) == 0 && bad > 0 {
		return nil, ErrWrongKEK
	}
	return recs, nil
}

// logBadKey logs, once per key id, a key that does not open.
func (s *Store) logBadKey(id string, err error) {
	c := &s.keys
	c.mu.Lock()
	if c.bad == nil || len(c.bad) >= maxBadIDs {
		c.bad = make(map[string]struct{})
	}
	_, seen := c.bad[id]
	c.bad[id] = struct{}{}
	c.mu.Unlock()
	if !seen {
		s.log.Error("session store: ticket key "+id+" in "+s.keyHash()+" is unusable, skipped: "+err.Error(), "store", "redis")
	}
}

// rotationDue reports whether the keys in Redis call for a new one: there
// is none, or the newest was made RotationPeriod ago.
func (s *Store) rotationDue(recs []keyRecord, now time.Time) bool {
	return len(recs) == 0 || now.Sub(recs[len(recs)-1].created) >= s.rotation
}

// rotate takes the lock, reads the keys again and, if a rotation is still
// due (or force), adds a new key and deletes the expired ones. It returns
// the keys in Redis afterwards.
func (s *Store) rotate(ctx context.Context, force bool, now time.Time) ([]keyRecord, error) {
	var tok [16]byte
	if _, err := rand.Read(tok[:]); err != nil {
		return nil, fmt.Errorf("redisstore: lock token: %w", err)
	}
	token := hex.EncodeToString(tok[:])
	ok, err := s.client.SetNX(ctx, s.lockKey(), token, lockTTL).Result()
	s.observe(ctx, err)
	if err != nil {
		return nil, wrap("taking the rotation lock", err)
	}
	if !ok {
		return nil, errLocked
	}
	defer s.releaseLock(ctx, token)

	recs, err := s.readKeys(ctx)
	if err != nil {
		return nil, err
	}
	if !force && !s.rotationDue(recs, now) {
		return recs, nil
	}

	var idb [8]byte
	if _, err := rand.Read(idb[:]); err != nil {
		return nil, fmt.Errorf("redisstore: ticket key id: %w", err)
	}
	r := keyRecord{id: hex.EncodeToString(idb[:]), created: now, activates: now.Add(2 * s.refresh)}
	if _, err := rand.Read(r.key[:]); err != nil {
		return nil, fmt.Errorf("redisstore: making a ticket key: %w", err)
	}
	if len(recs) == 0 && !s.haveKeys() {
		// Nobody can be sealing with a key this server has not got,
		// and this server has none: waiting would only leave it
		// without tickets.
		r.activates = now
	}
	sealed, err := sealRecord(s.aead, &r, recordAD(s.keyHash(), r.id))
	if err != nil {
		return nil, err
	}
	err = s.client.HSet(ctx, s.keyHash(), r.id, sealed).Err()
	s.observe(ctx, err)
	if err != nil {
		return nil, wrap("storing a new ticket key", err)
	}
	recs = append(recs, r)
	sortRecords(recs)

	var expired []string
	recs = slices.DeleteFunc(recs, func(k keyRecord) bool {
		if s.expired(recs, k, now) {
			expired = append(expired, k.id)
			return true
		}
		return false
	})
	if len(expired) > 0 {
		// A key left behind is dropped from memory by every reader
		// anyway, and deleted by the next rotation.
		err := s.client.HDel(ctx, s.keyHash(), expired...).Err()
		s.observe(ctx, err)
	}
	s.log.Info("session store: new ticket key "+r.id, "store", "redis", "activates", r.activates)
	return recs, nil
}

// releaseLock deletes the rotation lock if it is still this server's.
// When ctx has ended (the rotation ran out of time), it does so in the
// background rather than make the caller wait past its deadline; failing
// to release costs only lockTTL of waiting for the next rotation.
func (s *Store) releaseLock(ctx context.Context, token string) {
	release := func(ctx context.Context) {
		_ = releaseScript.Run(ctx, s.client, []string{s.lockKey()}, token).Err()
	}
	if ctx.Err() == nil {
		release(ctx)
		return
	}
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), networkTimeout)
		defer cancel()
		release(ctx)
	}()
}

// expired reports whether k, one of recs (sorted by activation), has been
// replaced for sealing by an active key for longer than KeepPeriod.
func (s *Store) expired(recs []keyRecord, k keyRecord, now time.Time) bool {
	// No key outlives its own rotation period and keep period, whatever
	// else the hash holds: an old record written back into Redis (from a
	// backup, say) does not bring a withdrawn key back.
	if now.Sub(k.created) > s.rotation+s.keep {
		return true
	}
	for _, n := range recs {
		if n.activates.After(k.activates) && !n.activates.After(now) {
			// The first active key after k replaced it.
			return now.Sub(n.activates) > s.keep
		}
	}
	return false
}

// merge returns the keys read from Redis with those only in memory, all
// but the expired ones, sorted by activation.
func (s *Store) merge(fromRedis, cached []keyRecord, now time.Time) []keyRecord {
	all := slices.Clone(fromRedis)
	for _, k := range cached {
		if !slices.ContainsFunc(all, func(r keyRecord) bool { return r.id == k.id }) {
			all = append(all, k)
		}
	}
	sortRecords(all)
	out := all[:0:0]
	for _, k := range all {
		if !s.expired(all, k, now) {
			out = append(out, k)
		}
	}
	if len(out) > maxKeys {
		out = out[len(out)-maxKeys:]
	}
	return out
}

// list returns the keys in tls.SessionStore order: the current one first
// (the latest active, or, when none is active yet, the earliest pending),
// then the pending ones, then the older ones, newest first.
func (c *keyCache) list(now time.Time) ([][32]byte, error) {
	if len(c.records) == 0 {
		if c.lastErr != nil {
			return nil, fmt.Errorf("redisstore: no ticket keys: %w", c.lastErr)
		}
		return nil, errors.New("redisstore: no ticket keys")
	}
	cur := 0
	for i, k := range c.records {
		if !k.activates.After(now) {
			cur = i
		}
	}
	keys := make([][32]byte, 0, len(c.records))
	keys = append(keys, c.records[cur].key)
	for i := cur + 1; i < len(c.records); i++ {
		keys = append(keys, c.records[i].key)
	}
	for i := cur - 1; i >= 0; i-- {
		keys = append(keys, c.records[i].key)
	}
	return keys, nil
}

func sortRecords(recs []keyRecord) {
	slices.SortFunc(recs, func(a, b keyRecord) int {
		if c := a.activates.Compare(b.activates); c != 0 {
			return c
		}
		return cmp.Compare(a.id, b.id)
	})
}
