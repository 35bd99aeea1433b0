package keys

// The labels of the NSS key log format (the SSLKEYLOGFILE lines Wireshark
// and curl read), one per secret a connection logs. The engines write
// them and the demo's decoder looks them up, so both name a secret the
// same way.
const (
	// LogMaster labels a TLS 1.2 master secret.
	LogMaster = "CLIENT_RANDOM"
	// LogClientEarly labels the TLS 1.3 client_early_traffic_secret, which
	// a reader needs to decrypt 0-RTT data.
	LogClientEarly = "CLIENT_EARLY_TRAFFIC_SECRET"
	// LogEarlyExporter labels the TLS 1.3 early_exporter_master_secret.
	LogEarlyExporter = "EARLY_EXPORTER_SECRET"
	// LogClientHandshake and LogServerHandshake label the TLS 1.3
	// handshake traffic secrets.
	LogClientHandshake = "CLIENT_HANDSHAKE_TRAFFIC_SECRET"
	LogServerHandshake = "SERVER_HANDSHAKE_TRAFFIC_SECRET"
	// LogClientTraffic and LogServerTraffic label the first TLS 1.3
	// application traffic secrets.
	LogClientTraffic = "CLIENT_TRAFFIC_SECRET_0"
	LogServerTraffic = "SERVER_TRAFFIC_SECRET_0"
	// LogExporter labels the TLS 1.3 exporter master secret.
	LogExporter = "EXPORTER_SECRET"
)
