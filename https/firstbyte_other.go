//go:build !unix

package https

import "net"

// peekFirstByte cannot peek here; the server reads the first bytes
// instead (checkFirstBytes).
func peekFirstByte(net.Conn) (byte, error) { return 0, errNoPeek }
