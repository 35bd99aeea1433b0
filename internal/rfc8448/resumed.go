package rfc8448

// §4 "Resumed 0-RTT Handshake": the client resumes the session of §3 with a
// PSK (psk_dhe_ke) and sends early data.
const (
	// ResumedClientX25519PrivateKey is "{client} create an ephemeral x25519 key pair: private key" (line 868, 32 octets).
	ResumedClientX25519PrivateKey = "bff91188283846dd6a2134ef7180ca2b0b14fb10dce707b5098c0dddc813b2df"
	// ResumedClientX25519PublicKey is "{client} create an ephemeral x25519 key pair: public key" (line 871, 32 octets).
	ResumedClientX25519PublicKey = "e4ffb68ac05f8d96c99da26698346c6be16482badddafe051a66b4f18d668f0b"
	// ResumedPSK is "{client} extract secret "early": IKM" (line 878, 32 octets).
	ResumedPSK = "4ecd0eb6ec3b4d87f5d6028f922ca4c5851a277fd41311c9e62d2c9492e1c4f3"
	// ResumedEarlySecret is "{client} extract secret "early": secret" (line 881, 32 octets).
	ResumedEarlySecret = "9b2188e9b2fc6d64d71dc329900e20bb41915000f678aa839cbb797cb7d8332c"
	// ResumedClientHelloPrefix is "{client} construct a ClientHello handshake message: ClientHello" (line 886, 477 octets).
	ResumedClientHelloPrefix = "" +
		"010001fc03031bc3ceb6bbe39cff938355b5a50adb6db21b7a6af649d7b4bc41" +
		"9d7876487d95000006130113031302010001cd0000000b000900000673657276" +
		"6572ff01000100000a00140012001d0017001800190100010101020103010400" +
		"3300260024001d0020e4ffb68ac05f8d96c99da26698346c6be16482badddafe" +
		"051a66b4f18d668f0b002a0000002b0003020304000d0020001e040305030603" +
		"020308040805080604010501060102010402050206020202002d00020101001c" +
		"0002400100150057000000000000000000000000000000000000000000000000" +
		"0000000000000000000000000000000000000000000000000000000000000000" +
		"0000000000000000000000000000000000000000000000000000000000000000" +
		"2900dd00b800b22c035d829359ee5ff7af4ec900000000262a6494dc486d2c8a" +
		"34cb33fa90bf1b0070ad3c498883c9367c09a2be785abc55cd226097a3a98211" +
		"7283f82a03a143efd3ff5dd36d64e861be7fd61d2827db279cce145077d454a3" +
		"664d4e6da4d29ee03725a6a4dafcd0fc67d2aea70529513e3da2677fa5906c5b" +
		"3f7d8f92f228bda40dda721470f9fbf297b5aea617646fac5c03272e970727c6" +
		"21a79141ef5f7de6505e5bfbc388e93343694093934ae4d357fad6aacb"
	// ResumedBinderHash is "{client} calculate PSK binder: binder hash" (line 946, 32 octets).
	ResumedBinderHash = "63224b2e4573f2d3454ca84b9d009a04f6be9e05711a8396473aefa01e924a14"
	// ResumedBinderKey is "{client} calculate PSK binder: PRK" (line 949, 32 octets).
	ResumedBinderKey = "69fe131a3bbad5d63c64eebcc30e395b9d8107726a13d074e389dbc8a4e47256"
	// ResumedBinderFinishedKey is "{client} calculate PSK binder: expanded" (line 964, 32 octets).
	ResumedBinderFinishedKey = "5588673e72cb59c87d220caffe94f2dea9a3b1609f7d50e90a48227db9ed7eaa"
	// ResumedBinder is "{client} calculate PSK binder: finished" (line 967, 32 octets).
	ResumedBinder = "3add4fb2d8fdf822a0ca3cf7678ef5e88dae990141c5924d57bb6fa31b9e5f9d"
	// ResumedClientHello is "{client} send handshake record: payload" (line 972, 512 octets).
	ResumedClientHello = "" +
		"010001fc03031bc3ceb6bbe39cff938355b5a50adb6db21b7a6af649d7b4bc41" +
		"9d7876487d95000006130113031302010001cd0000000b000900000673657276" +
		"6572ff01000100000a00140012001d0017001800190100010101020103010400" +
		"3300260024001d0020e4ffb68ac05f8d96c99da26698346c6be16482badddafe" +
		"051a66b4f18d668f0b002a0000002b0003020304000d0020001e040305030603" +
		"020308040805080604010501060102010402050206020202002d00020101001c" +
		"0002400100150057000000000000000000000000000000000000000000000000" +
		"0000000000000000000000000000000000000000000000000000000000000000" +
		"0000000000000000000000000000000000000000000000000000000000000000" +
		"2900dd00b800b22c035d829359ee5ff7af4ec900000000262a6494dc486d2c8a" +
		"34cb33fa90bf1b0070ad3c498883c9367c09a2be785abc55cd226097a3a98211" +
		"7283f82a03a143efd3ff5dd36d64e861be7fd61d2827db279cce145077d454a3" +
		"664d4e6da4d29ee03725a6a4dafcd0fc67d2aea70529513e3da2677fa5906c5b" +
		"3f7d8f92f228bda40dda721470f9fbf297b5aea617646fac5c03272e970727c6" +
		"21a79141ef5f7de6505e5bfbc388e93343694093934ae4d357fad6aacb002120" +
		"3add4fb2d8fdf822a0ca3cf7678ef5e88dae990141c5924d57bb6fa31b9e5f9d"
	// ResumedClientHelloHash is "{client} derive secret "tls13 c e traffic": hash" (line 1038, 32 octets).
	ResumedClientHelloHash = "08ad0fa05d7c7233b1775ba2ff9f4c5b8b59276b7f227f13a976245f5d960913"
	// ResumedClientEarlyTrafficSecret is "{client} derive secret "tls13 c e traffic": expanded" (line 1045, 32 octets).
	ResumedClientEarlyTrafficSecret = "3fbbe6a60deb66c30a32795aba0eff7eaa10105586e7be5c09678d63b6caab62"
	// ResumedEarlyExporterMasterSecret is "{client} derive secret "tls13 e exp master": expanded" (line 1060, 32 octets).
	ResumedEarlyExporterMasterSecret = "b2026866610937d7423e5be90862ccf24c0e6091186d34f812089ff5be2ef7df"
	// ResumedClientEarlyKey is "{client} derive write traffic keys for early application data: key expanded" (line 1078, 16 octets).
	ResumedClientEarlyKey = "920205a5b7bf2115e6fc5c2942834f54"
	// ResumedClientEarlyIV is "{client} derive write traffic keys for early application data: iv expanded" (line 1083, 12 octets).
	ResumedClientEarlyIV = "6d475f0993c8e564610db2b9"
	// ResumedServerX25519PrivateKey is "{server} create an ephemeral x25519 key pair: private key" (line 1098, 32 octets).
	ResumedServerX25519PrivateKey = "de5b4476e7b490b2652d338acbf2948066f255f9440e23b98fc69835298dc107"
	// ResumedServerX25519PublicKey is "{server} create an ephemeral x25519 key pair: public key" (line 1101, 32 octets).
	ResumedServerX25519PublicKey = "121761ee42c333e1b9e77b60dd57c2053cd94512ab47f115e86eff50942cea31"
	// ResumedServerHello is "{server} construct a ServerHello handshake message: ServerHello" (line 1110, 96 octets).
	ResumedServerHello = "" +
		"0200005c03033ccfd2dec890222763472ae8136777c9d7358777bb66e91ea512" +
		"2495f559ea2d00130100003400290002000000330024001d0020121761ee42c3" +
		"33e1b9e77b60dd57c2053cd94512ab47f115e86eff50942cea31002b00020304"
	// ResumedDerivedForHandshake is "{server} derive secret for handshake "tls13 derived": expanded" (line 1139, 32 octets).
	ResumedDerivedForHandshake = "5f1790bbd82c5e7d376ed2e1e52f8e6038c9346db61b43be9a52f77ef3998e80"
	// ResumedSharedSecret is "{server} extract secret "handshake": IKM" (line 1147, 32 octets).
	ResumedSharedSecret = "f44194756ff9ec9d25180635d66ea6824c6ab3bf179977be37f723570e7ccb2e"
	// ResumedHandshakeSecret is "{server} extract secret "handshake": secret" (line 1150, 32 octets).
	ResumedHandshakeSecret = "005cb112fd8eb4ccc623bb88a07c64b3ede1605363fc7d0df8c7ce4ff0fb4ae6"
	// ResumedHelloHash is "{server} derive secret "tls13 c hs traffic": hash" (line 1158, 32 octets).
	ResumedHelloHash = "f736cb34fe25e701551bee6fd24c1cc7102a7daf9405cb15d97aafe16f757d03"
	// ResumedClientHandshakeTrafficSecret is "{server} derive secret "tls13 c hs traffic": expanded" (line 1165, 32 octets).
	ResumedClientHandshakeTrafficSecret = "2faac08f851d35fea3604fcb4de82dc62c9b164a70974d0462e27f1ab278700f"
	// ResumedServerHandshakeTrafficSecret is "{server} derive secret "tls13 s hs traffic": expanded" (line 1187, 32 octets).
	ResumedServerHandshakeTrafficSecret = "fe927ae271312e8bf0275b581c54eef020450dc4ecffaa05a1a35d27518e7803"
	// ResumedDerivedForMaster is "{server} derive secret for master "tls13 derived": expanded" (line 1202, 32 octets).
	ResumedDerivedForMaster = "e2f16030251df0874ba19b9aba257610bc6d531c1dd206df0ca6e84ae2a26742"
	// ResumedMasterSecret is "{server} extract secret "master": secret" (line 1213, 32 octets).
	ResumedMasterSecret = "e2d32d4ed66dd37897a0e80c84107503ce58bf8aad4cb55a5002d77ecb890ece"
	// ResumedServerHandshakeKey is "{server} derive write traffic keys for handshake data: key expanded" (line 1246, 16 octets).
	ResumedServerHandshakeKey = "27c6bdc0a3dcea39a47326d79bc9e4ee"
	// ResumedServerHandshakeIV is "{server} derive write traffic keys for handshake data: iv expanded" (line 1251, 12 octets).
	ResumedServerHandshakeIV = "9569ecdd4d0536705e9ef725"
	// ResumedEncryptedExtensions is "{server} construct an EncryptedExtensions handshake message: EncryptedExtensions" (line 1255, 44 octets).
	ResumedEncryptedExtensions = "" +
		"080000280026000a00140012001d00170018001901000101010201030104001c" +
		"0002400100000000002a0000"
	// ResumedServerFinishedKey is "{server} calculate finished "tls13 finished": expanded" (line 1269, 32 octets).
	ResumedServerFinishedKey = "4bb74cae7a5dc8914604c0bfbe2f0c062396883922bec8a15e2a9b532a5d392c"
	// ResumedServerVerifyData is "{server} calculate finished "tls13 finished": finished" (line 1272, 32 octets).
	ResumedServerVerifyData = "48d3e0e1b3d907c6acff145e16090388c77b05c050b634ab1a88bbd0dd1a34b2"
	// ResumedServerFinished is "{server} construct a Finished handshake message: Finished" (line 1277, 36 octets).
	ResumedServerFinished = "" +
		"1400002048d3e0e1b3d907c6acff145e16090388c77b05c050b634ab1a88bbd0" +
		"dd1a34b2"
	// ResumedServerFinishedHash is "{server} derive secret "tls13 c ap traffic": hash" (line 1315, 32 octets).
	ResumedServerFinishedHash = "b0aeffc46a2cfe33114e6fd7d51f9f04b1ca3c497dab08934a774a9d9ad7dbf3"
	// ResumedClientApplicationTrafficSecret is "{server} derive secret "tls13 c ap traffic": expanded" (line 1322, 32 octets).
	ResumedClientApplicationTrafficSecret = "2abbf2b8e381d23dbebe1dd2a7d16a8bf484cb4950d23fb7fb7fa8547062d9a1"
	// ResumedServerApplicationTrafficSecret is "{server} derive secret "tls13 s ap traffic": expanded" (line 1337, 32 octets).
	ResumedServerApplicationTrafficSecret = "cc21f1bf8feb7dd5fa505bd9c4b468a9984d554a993dc49e6d285598fb672691"
	// ResumedExporterMasterSecret is "{server} derive secret "tls13 exp master": expanded" (line 1363, 32 octets).
	ResumedExporterMasterSecret = "3fd93d4ffddc98e64b14dd107aedf8ee4add23f4510f58a4592d0b201bee56b4"
	// ResumedServerApplicationKey is "{server} derive write traffic keys for application data: key expanded" (line 1373, 16 octets).
	ResumedServerApplicationKey = "e857c690a34c5a9129d833619684f95e"
	// ResumedServerApplicationIV is "{server} derive write traffic keys for application data: iv expanded" (line 1378, 12 octets).
	ResumedServerApplicationIV = "0685d6b561aab9ef1013faf9"
	// ResumedEndOfEarlyData is "{client} construct an EndOfEarlyData handshake message: EndOfEarlyData" (line 1431, 4 octets).
	ResumedEndOfEarlyData = "05000000"
	// ResumedClientHandshakeKey is "{client} derive write traffic keys for handshake data: key expanded" (line 1447, 16 octets).
	ResumedClientHandshakeKey = "b1530806f4adfeac83f1413032bbfa82"
	// ResumedClientHandshakeIV is "{client} derive write traffic keys for handshake data: iv expanded" (line 1452, 12 octets).
	ResumedClientHandshakeIV = "eb50c16be7654abf99dd06d9"
	// ResumedClientFinishedKey is "{client} calculate finished "tls13 finished": expanded" (line 1476, 32 octets).
	ResumedClientFinishedKey = "5ace394c26980d581243f627d1150ae27e37fa52364e0a7f20ac686d09cd0e8e"
	// ResumedClientVerifyData is "{client} calculate finished "tls13 finished": finished" (line 1479, 32 octets).
	ResumedClientVerifyData = "7230a9c952c25cd6138fc5e6628308c41c5335dd81b9f96bcea50fd32bda416d"
	// ResumedClientFinished is "{client} construct a Finished handshake message: Finished" (line 1484, 36 octets).
	ResumedClientFinished = "" +
		"140000207230a9c952c25cd6138fc5e6628308c41c5335dd81b9f96bcea50fd3" +
		"2bda416d"
	// ResumedClientApplicationKey is "{client} derive write traffic keys for application data: key expanded" (line 1505, 16 octets).
	ResumedClientApplicationKey = "3cf122f301c6358ca7989553250efd72"
	// ResumedClientApplicationIV is "{client} derive write traffic keys for application data: iv expanded" (line 1510, 12 octets).
	ResumedClientApplicationIV = "ab1aec26aa78b8fc1176b9ac"
	// ResumedClientFinishedHash is "{client} derive secret "tls13 res master": hash" (line 1524, 32 octets).
	ResumedClientFinishedHash = "c3c122e0bd907a4a3ff6112d8fd53dbf89c773d9552e8b6b9d56d361b3a97bf6"
	// ResumedResumptionMasterSecret is "{client} derive secret "tls13 res master": expanded" (line 1531, 32 octets).
	ResumedResumptionMasterSecret = "5e95bdf1f89005ea2e9aa0ba85e728e3c19c5fe0c699e3f5bee59faebd0b5406"
)
