// Package inspect shows visitors their own TLS handshake: the page that
// `lucid serve` answers at / when it serves no directory.
//
// Handler serves three things, all built from the connection that carried
// the request (https.ConnectionState and, with https.Server.Inspect set,
// https.Events):
//
//	/                       the inspection page: a verdict on the client's
//	                        handshake (Good, Improvable or Bad, from the
//	                        rubric in rubric.md), what the client offered,
//	                        what the server chose and why, JA3 and JA4, the
//	                        certificate chain sent, the handshake as an SVG
//	                        sequence diagram with timings, and each of the
//	                        seed's eight steps (trace.SeedSteps) tied to
//	                        what happened at it
//	/api/handshake          the same report as JSON, schema lucid.inspect/2
//	/api/handshake/schema   the JSON Schema of that report
//
// The page is one self-contained document: its CSS is inline, the diagram
// is inline SVG drawn on the server, and there is no script at all; the
// Content-Security-Policy header forbids fetching anything. Everything
// the client controls (its server name, ALPN protocols, certificate
// subject) is escaped. The layout is a single column that reads on a
// phone.
//
// # The JSON report, lucid.inspect/2
//
// schema/inspect-v2.json (JSON Schema draft 2020-12, returned by
// JSONSchema) is the reference; in words, a report is one object:
//
//	schema             string   always "lucid.inspect/2"
//	connection         object   what the handshake established:
//	                              remote_addr, http_protocol ("HTTP/2.0"),
//	                              tls_version ("TLS 1.3"), cipher_suite,
//	                              group (its IANA name such as x25519, "" for none), alpn,
//	                              server_name, resumed, hello_retry_request,
//	                              shape (the handshake's row of the shape
//	                              table, "tls13-full"; tls.HandshakeShape),
//	                              signature_scheme (the server's, "" for
//	                              none), handshake_ms (first event to the
//	                              check of the client's Finished),
//	                              early_data, and ech: status (accepted,
//	                              grease or none), outer_server_name (what
//	                              an observer read), inner_server_name
//	                              (what only the server read, under ECH)
//	                              and decision (the server's, in words),
//	                              and cert_compression (RFC 8879): offered,
//	                              algorithms (in the client's order),
//	                              used, compressed_bytes,
//	                              uncompressed_bytes, saved_bytes,
//	                              certificate_bytes, why and decision
//	fingerprints       object   ja3 (MD5 hex) and ja4 ("t13d1516h2_…")
//	client_hello       object   what the client offered, in its order, or
//	                            null when events were not recorded: length,
//	                            legacy_version, supported_versions,
//	                            cipher_suites, supported_groups, key_shares,
//	                            signature_algorithms, alpn, server_name,
//	                            extensions (GREASE as "GREASE(0x1a1a)"),
//	                            grease ("list: value" for each GREASE value),
//	                            psk_identities (tickets offered)
//	verdict            object   the rating of that offer against the rubric
//	                            (Rubric, published as rubric.md), or null
//	                            with client_hello: rating (Good, Improvable,
//	                            Bad), summary, and points, one per point of
//	                            the rubric: id, title, result (pass,
//	                            improvable, bad, advice, not_scored),
//	                            detail (what this client did), why,
//	                            reference (the RFC) and url
//	choices            array    {item, chosen, why}: version, cipher suite,
//	                            key exchange group, signature scheme,
//	                            application protocol (ALPN), certificate,
//	                            resumption and client certificate, each
//	                            when it applies
//	certificate_chain  array    the chain the server sent, leaf first:
//	                            summary ("subject issued by issuer") always;
//	                            subject, issuer, dns_names, ip_addresses,
//	                            not_before, not_after, public_key,
//	                            signature_algorithm, sha256 when the page
//	                            knows the server's certificates; is_ca
//	client_certificate object   subject, issuer, verified; null for none
//	steps              array    the seed's eight steps: number, title,
//	                            title_zh, explanation (from trace.SeedSteps),
//	                            here (what the step was in this connection)
//	                            and events (indexes into events)
//	events_recorded    boolean  whether the server recorded the events
//	events             array    the connection's events as the server saw
//	                            them, oldest first, each like a line of
//	                            lucid.trace/1 without schema, time and
//	                            source: t_ms (from the first event), kind,
//	                            name, and when they apply dir, epoch,
//	                            content_type, seq, length, detail, error,
//	                            seed_step, fields
//
// Versioning: adding, removing or changing the type or meaning of a member
// makes lucid.inspect/3 (2 added connection.shape and verdict to 1). Reports carry public values only, never key
// material.
package inspect
