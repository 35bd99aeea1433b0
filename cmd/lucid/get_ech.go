package main

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"

	"lucid/internal/wire"
	"lucid/tls"
)

// getECH is what lucid get knows of its Encrypted Client Hello: the config
// it encrypts to, which a retry replaces, and the name it hides.
type getECH struct {
	config  wire.ECHConfig
	host    string
	retried bool
}

// hostOf is the host name of a URL, which the inner hello names.
func hostOf(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return raw
	}
	return u.Hostname()
}

// describeOffer is -v's line before connecting with --ech-config.
func (e *getECH) describeOffer(w io.Writer) {
	fmt.Fprintf(w, "* ECH: the hello for %s goes encrypted to config id %d; the outer hello, which is all the path sees, names the public name %s\n",
		e.host, e.config.ConfigID, e.config.PublicName)
}

// describeResult is -v's account of ECH on a new connection: what the
// path saw and what the server saw.
func (e *getECH) describeResult(w io.Writer, cs tls.ConnectionState, offered bool) {
	switch {
	case cs.ECHAccepted:
		again := ""
		if e.retried {
			again = ", with the server's retry config"
		}
		fmt.Fprintf(w, "* ECH: accepted%s (the ServerHello's confirmation checked): the path saw the outer hello, naming %s; only the server saw the inner hello, naming %s\n",
			again, e.config.PublicName, nameOr(cs.ServerName, e.host))
	case offered:
		// A rejection ends the handshake with an error, so this is a
		// connection ECH did not apply to.
		fmt.Fprintf(w, "* ECH: not used on this connection: the hello named %s in clear\n", nameOr(cs.ServerName, e.host))
	case cs.Version == tls.VersionTLS13:
		fmt.Fprintf(w, "* ECH: not used (no --ech-config): the path saw the server name %s in the ClientHello; a GREASE ECH extension went with it, so that hellos with real ECH do not stand out\n", nameOr(cs.ServerName, e.host))
	default:
		fmt.Fprintf(w, "* ECH: not used (%s has none): the path saw the server name %s in the ClientHello\n", tls.VersionName(cs.Version), nameOr(cs.ServerName, e.host))
	}
}

func nameOr(name, fallback string) string {
	if name == "" {
		return fallback
	}
	return name
}

// echFailure is lucid get's account of an ECH rejection it did not get
// past; it wraps the handshake's error, which sets the exit status.
type echFailure struct {
	msg string
	err error
}

func (e *echFailure) Error() string { return e.msg }
func (e *echFailure) Unwrap() error { return e.err }

// echFailed puts msg in place of the handshake's message in err, the
// client's *url.Error, whose inner error is what lucid get prints.
func echFailed(err error, msg string) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return &url.Error{Op: ue.Op, URL: ue.URL, Err: &echFailure{msg: msg, err: ue.Err}}
	}
	return &echFailure{msg: msg, err: err}
}

// retry handles the outcome of the first attempt with --ech-config: a
// rejection that carries retry configs is tried once more with them (RFC
// 9849 §6.1.6: the server proved it holds the public name's certificate
// before they were taken); any other rejection, or a second one, fails
// with a message saying why. Without a rejection it returns resp and err
// as they are.
func (e *getECH) retry(client *http.Client, req *http.Request, cfg *tls.Config, resp *http.Response, err error, verbose bool, stderr io.Writer) (*http.Response, error) {
	var rej *tls.ECHRejectionError
	if err == nil || !errors.As(err, &rej) {
		return resp, err
	}
	pub := e.config.PublicName
	if len(rej.RetryConfigList) == 0 {
		return nil, echFailed(err, fmt.Sprintf("the server rejected ECH config id %d and sent no retry configs: it does not do ECH now, or not for this config. "+
			"lucid get does not fall back to a hello that names %s in clear; without --ech-config it would", e.config.ConfigID, e.host))
	}
	next, perr := usableECHConfig(rej.RetryConfigList)
	if perr != nil {
		return nil, echFailed(err, fmt.Sprintf("the server rejected ECH config id %d and its retry configs are of no use: %v", e.config.ConfigID, perr))
	}
	if verbose {
		fmt.Fprintf(stderr, "* ECH: rejected: the server could not open the hello encrypted to config id %d, and proved with its certificate that it is %s; "+
			"it sent retry configs (config id %d, public name %s): retrying once with them\n", e.config.ConfigID, pub, next.ConfigID, next.PublicName)
	}
	again, rerr := retryRequest(req)
	if rerr != nil {
		return nil, echFailed(err, fmt.Sprintf("the server rejected ECH and sent retry configs, but the request cannot be sent again: %v", rerr))
	}
	e.config, e.retried = next, true
	cfg.EncryptedClientHelloConfigList = rej.RetryConfigList
	resp, err = client.Do(again)
	if err != nil && errors.As(err, &rej) {
		return nil, echFailed(err, fmt.Sprintf("the server rejected ECH again, with the retry config (id %d) it had sent itself; giving up", next.ConfigID))
	}
	return resp, err
}

// retryRequest is req to be sent again, with a fresh body.
func retryRequest(req *http.Request) (*http.Request, error) {
	again := req.Clone(req.Context())
	if req.Body != nil && req.Body != http.NoBody {
		if req.GetBody == nil {
			return nil, errors.New("its body cannot be read twice")
		}
		body, err := req.GetBody()
		if err != nil {
			return nil, err
		}
		again.Body = body
	}
	return again, nil
}
