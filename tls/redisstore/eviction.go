package redisstore

import (
	"context"
	"fmt"
)

// CheckEviction reports, as an error, a Redis that may evict keys under
// memory pressure: its maxmemory-policy is not noeviction. Such a Redis can
// drop an early-data guard entry before its window ends, and a replay of
// that ClientHello is then accepted; with noeviction, a full Redis refuses
// writes instead, which the fleet treats as a store that is down (early
// data refused, full handshakes go on). A Redis that does not allow CONFIG
// GET (many managed ones rename it) cannot be checked: nil, with the reason
// in unknown.
func (s *Store) CheckEviction(ctx context.Context) (unknown string, err error) {
	res, cerr := s.client.ConfigGet(ctx, "maxmemory-policy").Result()
	if cerr != nil {
		return "maxmemory-policy unknown: " + cerr.Error(), nil
	}
	policy, ok := res["maxmemory-policy"]
	if !ok {
		return "maxmemory-policy unknown: CONFIG GET returned nothing", nil
	}
	if policy != "noeviction" {
		return "", fmt.Errorf("redisstore: Redis evicts keys under memory pressure (maxmemory-policy %s): an early-data guard entry evicted before its window ends lets a 0-RTT replay in; set maxmemory-policy noeviction", policy)
	}
	return "", nil
}
