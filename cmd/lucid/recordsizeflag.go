package main

import (
	"fmt"
	"strconv"
	"strings"
)

// recordSizeLimitFlag parses --record-size-limit: the record_size_limit
// (RFC 8449) to advertise, from the 64 the RFC allows at least to TLS
// 1.3's 16385 (sent as 16384 where only TLS 1.2 can be negotiated).
func recordSizeLimitFlag(dst *uint16) func(string) error {
	return func(v string) error {
		n, err := strconv.ParseUint(strings.TrimSpace(v), 10, 16)
		if err != nil || n < 64 || n > 1<<14+1 {
			return fmt.Errorf("--record-size-limit takes a size in bytes from 64 to 16385, such as 512")
		}
		*dst = uint16(n)
		return nil
	}
}
