package main

// The Chinese narration: the same story as demo_text_en.go, told in the
// seed's language and with its words (客户端, 服务端, 证书, 公钥, 私钥,
// 会话密钥, 随机值, 数字签名, MAC, 篡改, 重放, 中间人). Protocol names
// (ClientHello, Finished) and the library's error messages stay as they
// are, as they would in a Chinese textbook. Prose is wrapped to the
// width (para), since Chinese breaks between any two characters.

var zhCatalog = &catalog{keyWidth: 12, checkWidth: 7, texts: map[msg]text{
	msgHeader: wrapped(`Lucid 演示：一次 HTTPS 请求，一步一步，真实地发生在 127.0.0.1 上。
%s，密钥交换 %s。第 1–8 步沿用原文的流程（英文版见 docs/story.md），之后中间的中继转为主动攻击。`),

	msgStep1:            words("客户端发起 HTTPS 请求"),
	msgStep2:            words("服务端配置数字证书（由 CA 签发）"),
	msgStep3:            words("服务端做出选择，传送证书并签名"),
	msgStep3RSA:         words("服务端做出选择并传送证书"),
	msgStep4:            words("客户端解析并验证证书"),
	msgStep5:            words("密钥交换：一个从不在网络上传输的秘密"),
	msgStep5RSA:         words("客户端用服务端的公钥加密随机值并传送"),
	msgStep6:            words("双方生成会话密钥，并核对 Finished MAC"),
	msgStep7:            words("客户端发送加密后的 HTTP 请求"),
	msgStep8:            words("服务端回应，客户端解密"),
	msgAttackTamper:     words("篡改：攻击者翻转请求中的一个比特"),
	msgAttackReplay:     words("重放：攻击者把同一条请求发送两次"),
	msgAttackImpostor:   words("中间人：攻击者用自己的证书冒充服务端"),
	msgAttackDowngrade:  words("降级：中间人把 ClientHello 改成只支持 TLS 1.2"),
	msgAttackReplay0RTT: words("0-RTT 重放：攻击者在新连接上重发客户端的早期数据"),

	msgLabelVersions:    words("协议版本"),
	msgLabelSuites:      words("加密套件"),
	msgLabelGroups:      words("密钥交换组"),
	msgLabelShares:      words("密钥份额"),
	msgLabelSchemes:     words("签名算法"),
	msgLabelServerName:  words("服务器名"),
	msgLabelALPN:        words("ALPN"),
	msgLabelRandom:      words("随机值"),
	msgLabelCA:          words("CA"),
	msgLabelServerCert:  words("服务端"),
	msgLabelVersion:     words("协议版本"),
	msgLabelSuite:       words("加密套件"),
	msgLabelKeyExchange: words("密钥交换"),
	msgLabelHRR:         words("重试请求"),
	msgLabelSignature:   words("数字签名"),
	msgLabelSigned:      words("签名内容"),
	msgLabelSubject:     words("主体"),
	msgLabelNames:       words("名字"),
	msgLabelIssuer:      words("颁发者"),
	msgLabelValid:       words("有效期"),
	msgLabelPublicKey:   words("公钥"),
	msgLabelSuitesGone:  words("删掉的套件"),
	msgLabelSharesGone:  words("删掉的份额"),
	msgLabelLength:      words("长度"),
	msgLabelServerSaid:  words("服务端  "),
	msgLabelClientSaid:  words("客户端  "),
	msgLabelRelaySaid:   words("中继    "),
	msgLabelCopy1:       words("第 1 份  "),
	msgLabelCopy2:       words("第 2 份  "),
	msgLabelOutcome:     words("结果    "),
	msgLabelAlert:       words("警报    "),
	msgLabelStoppedBy:   words("阻止它的 "),
	msgLabelHandlerRuns: words("处理函数执行"),

	msgPorts: para("浏览器会连接服务端的 443 端口。这里三方都在这个进程里，各占一个本机端口："),
	msgParties: lines(`     服务端  %-16s Lucid 的 TLS 服务端
     窃听者  %-16s 夹在中间的中继：每个字节都照样转发，
                              同时把看到的一切记下来
     客户端  连接窃听者，请求 https://%s%s`),
	msgHelloInClear:    para("客户端的第一条消息 ClientHello 是明文，所以窃听者能读到客户端提供的全部选项："),
	msgServerNameValue: words("%s（SNI）"),
	msgClientRandom:    words("32 字节，每次连接重新生成"),
	msgNo13Offered:     para("--tls 1.2 把两端都限定在 TLS 1.2，所以客户端既不提供 TLS 1.3，也不发送密钥份额：TLS 1.2 的密钥交换在后面才进行。"),
	msgRSAOffered:      para("唯一的 TLS 1.2 套件就是原文里的做法：RSA 密钥传输。只有在 Config.CipherSuites 里点名时，Lucid 才会提供它，这里正是如此。"),

	msgMadeInMemory: para("证书是刚刚在内存里制作的，不写入磁盘，演示一结束就消失："),
	msgCAValue:      words("%s（%s，自签名）"),
	msgServerValue:  words("%s（%s，由 CA 签发）"),
	msgCertBinds:    para("私钥留在服务端；证书里带着公钥和域名，CA 的数字签名把两者绑在一起。客户端只信任这个 CA（Config.RootCAs），别的一概不信。"),
	msgRSAKey:       para("这次用的是 RSA 密钥：RSA 密钥传输需要一把能解密的钥匙，而不只是能签名。"),

	msgServerPicks:  para("ServerHello 从客户端提供的选项里各挑一个："),
	msgHRRNo:        words("没有，客户端的密钥份额被接受了"),
	msgHRRYes:       words("有，服务端要求客户端换一个密钥份额"),
	msgServerRandom: words("服务端自己的 32 字节"),
	msgFlight13: para("从这里开始，服务端发出的一切都用握手密钥加密（见第 6 步），连证书也不例外：" +
		"EncryptedExtensions、Certificate（%d 张证书）、CertificateVerify、Finished。" +
		"CertificateVerify 就是原文说的“先做一次 HASH，再用私钥加密形成数字签名”：" +
		"它签的是到此为止的整个握手，只有持有证书私钥的人才签得出来："),
	msgFlightRSA: para("在 TLS 1.2 中，服务端其余的消息都是明文：Certificate（%d 张证书）和 ServerHelloDone。" +
		"使用 RSA 密钥传输时，服务端什么都不签：唯一的数字签名是 CA 签在证书上的那一个。" +
		"服务端要到后面才证明自己持有私钥——它必须解得开客户端发来的东西（第 5、6 步）。"),
	msgFlight12: para("在 TLS 1.2 中，服务端其余的消息都是明文：Certificate（%d 张证书）、" +
		"ServerKeyExchange（一个临时的 %s 公钥）和 ServerHelloDone。" +
		"这个公钥带有数字签名，也就是原文说的“先 HASH，再用私钥加密”："),
	msgSignatureValue: words("%s，%s，%d 字节"),
	msgSigned13:       words("64 个空格、“TLS 1.3, server CertificateVerify”、一个 0 字节，再加上从 ClientHello 到 Certificate 的哈希"),
	msgSigned12:       words("客户端随机值、服务端随机值和服务端的 ECDHE 公钥"),
	msgCertCompUsed: para("客户端提供了证书压缩（RFC 8879：%s），所以服务端把证书放进 CompressedCertificate 发出，" +
		"用 %s 压缩：%d 字节，原本 %d 字节，省下 %d 字节（%d%%）。"),
	msgCertCompNotOffered: para("客户端没有提供证书压缩（RFC 8879），所以证书没有压缩：%d 字节。"),
	msgCertCompNoCommon:   para("证书没有压缩，%d 字节：客户端提供的压缩算法（RFC 8879：%s）服务端一个也没有。"),
	msgCertComp12:         para("TLS 1.2 没有证书压缩（RFC 8879 只用于 TLS 1.3），所以证书原样发出：%d 字节。"),

	msgValidValue:      words("%s 至 %s"),
	msgRechecked:       para("Lucid 的客户端在继续之前逐项检查了这些；演示程序再根据抓到的字节重新检查一遍："),
	msgCheckOK:         words("通过 %s"),
	msgCheckBad:        words("失败 %s"),
	msgCheckChain:      words("证书链"),
	msgCheckDates:      words("有效期"),
	msgCheckName:       words("域名"),
	msgCheckUsage:      words("用途"),
	msgCheckKey:        words("私钥"),
	msgChainDetail:     words("%s：CA 的 %s 数字签名验证通过，而且这个 CA 在 RootCAs 之中"),
	msgDatesDetail:     words("现在（%s）在有效期 %s 至 %s 之内"),
	msgNameDetail:      words("“%s”是证书上的名字之一（%s）"),
	msgUsageSignDetail: words("扩展密钥用途含 serverAuth，密钥用途含 digitalSignature（可以用来签名）"),
	msgUsageRSADetail:  words("扩展密钥用途含 serverAuth，密钥用途含 keyEncipherment（可以用来加密密钥）"),
	msgKeySigDetail:    words("%s 中的数字签名（%s，%d 字节）可以用证书里的公钥验证"),
	msgKeyRSADetail:    words("RSA 密钥传输里没有签名：服务端靠解密预主密钥来证明自己持有私钥，它的 Finished MAC 正确就说明了这一点"),
	msgAlertNotWarning: para("任何一项不通过，握手都会以警报（alert）结束，而不是弹出一个可以点“继续”的警告框（见后面的“中间人”攻击）。"),

	msgKxRSA: words("RSA 密钥传输"),
	msgRSASent: para("这就是原文的第 5 步，一字不差：客户端生成一个 48 字节的随机值——预主密钥（pre-master secret），" +
		"用证书里的 RSA 公钥加密（PKCS #1 v1.5），放进 ClientKeyExchange 发出。窃听者看到了全部 %d 字节："),
	msgRSANoForwardSecrecy: para("只有服务端的私钥能解开它。但这也正是它的缺陷：没有前向保密。" +
		"谁录下了这段通信，只要有一天拿到服务端的私钥（服务器被入侵、被强制交出、旧硬盘流出），" +
		"就能解出预主密钥，进而算出第 6 步的每一个密钥，读出第 7、8 步的每一个字节。" +
		"TLS 1.3 因此删掉了 RSA 密钥传输（也因为它招来的填充预言攻击；Lucid 的服务端对解密失败和解密成功一视同仁，见 RFC 5246 §7.4.7.1）。"),
	msgShares13: para("原文中，客户端用服务端的公钥加密一个随机值。TLS 1.3 走的是原文提到的 DH 那条路：" +
		"双方各为 %s 发送一个密钥份额（客户端 %d 字节，服务端 %d 字节），再用自己的私有部分与对方的份额结合。"),
	msgHybrid: para("（%s 是混合方案：X25519 加上 ML-KEM-768，后者能抵御未来的量子计算机。）"),
	msgForwardSecrecy13: para("双方算出同一个共享秘密；窃听者看到了两个份额，却依然算不出它。" +
		"私有部分用完即弃，所以即使将来服务端的私钥被盗，也解不开今天录下的通信：这就是前向保密。" +
		"服务端的私钥只用来签名（第 3 步）。"),
	msgECDHE12: para("原文中，客户端用服务端的公钥加密一个随机值。这个套件走的是原文提到的 DH 那条路：" +
		"服务端的临时 %s 公钥在 ServerKeyExchange 里（%d 字节，带数字签名），客户端的在 ClientKeyExchange 里（%d 字节）。" +
		"双方各用自己的私钥与对方的公钥结合，得到同一个预主密钥；窃听者看到了两个公钥，却依然算不出它。" +
		"私有部分用完即弃，所以即使将来服务端的私钥被盗，也解不开今天录下的通信：这就是前向保密。"),

	msgSecrets13: para("HKDF-%s 把共享秘密和握手消息的哈希（其中包含双方的随机值）混合起来，" +
		"为每个方向、每个阶段各生成一个秘密。客户端的 Config.KeyLogWriter 把它们记了下来（NSS 格式）："),
	msgSecrets12: para("TLS 1.2 的 PRF（HMAC-%s）先把预主密钥变成 48 字节的主密钥（master secret），%s，" +
		"再把它扩展成各条记录所用的会话密钥。密钥日志里，主密钥记在 CLIENT_RANDOM 标签下" +
		"（用客户端随机值标识这次连接）："),
	msgEMS:          words("计算时用的是包含双方随机值的握手哈希（扩展主密钥，RFC 7627）"),
	msgNoEMS:        words("计算时混入了双方的随机值"),
	msgSecretLine:   lines("     %-32s %2d 字节"),
	msgRecordKeys13: para("每个方向的记录密钥（key）和 IV 由各自的秘密导出："),
	msgKeyBlock12:   para("密钥块（IV 是每个 nonce 中隐含的那一半）："),
	msgHidden:       para("数值已隐藏：有了它们就能解密这段通信（加 --show-secrets 才显示）。"),
	msgFinished13: para("Finished 就是原文说的“所有握手消息的 MAC”：对握手记录（transcript）的哈希做 HMAC，" +
		"密钥来自发送方的握手秘密。演示程序根据抓包把两个 MAC 都重新算了一遍："),
	msgFinished12: para("发出 ChangeCipherSpec 之后，每一方都换用这些密钥，并发送 Finished，也就是原文说的“所有握手消息的 MAC”：" +
		"12 字节的 PRF(主密钥, \"client finished\" 或 \"server finished\", 握手记录的哈希)。根据抓包重新计算："),
	msgFinishedLine: lines("     %s Finished，第 %d 条记录：%d 字节；重新计算：%s"),
	msgFinishedOver: lines("       覆盖 %s..%s（%d 条消息）"),
	msgServer:       words("服务端"),
	msgClient:       words("客户端"),
	msgSame:         words("一致"),
	msgDifferent:    words("不一致"),
	msgFinishedEnd: para("如果握手被人动过手脚，双方的 MAC 就对不上，连接当场终止。" +
		"客户端和服务端还各自导出了同一个导出值（RFC 8446 §7.5、RFC 5705；不打印），说明会话密钥相同。"),

	msgRecordsIntro:       para("窃听者看到的每一条记录。它能读出类型、版本和长度；最后一列是借助密钥日志才看得到的内容："),
	msgColNumber:          words("#"),
	msgColDir:             words("方向"),
	msgColType:            words("类型"),
	msgColVersion:         words("版本"),
	msgColBytes:           words("字节"),
	msgColInside:          words("内容"),
	msgInnerRequest:       words("HTTP 请求"),
	msgInnerResponse:      words("HTTP 响应"),
	msgInnerAppData:       words("应用数据（%d 字节）"),
	msgInnerSeq:           words("%s [序号 %d]"),
	msgInnerCompat:        words("%s（兼容用，被忽略）"),
	msgInnerUndecryptable: words("无法解密"),
	msgAfterRecords13: para("只有两条 Hello 是明文：ServerHello 之后的一切，连证书在内，在窃听者眼里都只是某个长度的 application_data。" +
		"记录头里写的是 TLS 1.2（第一条 ClientHello 里是 1.0），这是有意为之：TLS 1.3 沿用旧的记录头，好让中间设备放行（RFC 8446 §5.1）。"),
	msgAfterRecords12:   para("TLS 1.2 暴露得更多：每个方向在发出 ChangeCipherSpec 之前，握手消息都是明文；ChangeCipherSpec 让这个方向切换到新的会话密钥。"),
	msgRequestRecord:    para("第 %d 条记录就是请求：左边是窃听者看到的字节，右边是服务端读到的内容。"),
	msgWiretapSees:      words("窃听者看到（%d 字节）"),
	msgServerReads:      words("服务端读到"),
	msgClientReads:      words("客户端读到"),
	msgLayoutHeader:     words("%d 字节记录头，"),
	msgLayoutNonce:      words("%d 字节显式 nonce（%s：Lucid 在这里放的是自己的序列号），"),
	msgLayoutCiphertext: words("%d 字节密文（%d 字节 HTTP"),
	msgLayoutInnerType:  words("，外加 1 字节隐藏的内容类型"),
	msgLayoutTag:        words("），%d 字节认证标签（tag）：保护这条记录的 MAC。用客户端的会话密钥以 %s 加密。"),

	msgResponseRecord: para("响应（第 %d 条记录）同样加密后经过窃听者；客户端先核对认证标签，再解密："),

	msgAttacksBegin:       lines("攻击：中间的中继不再老实，成了中间人攻击者。"),
	msgStopped:            words("已阻止"),
	msgNotStopped:         words("未被阻止：%v"),
	msgStoppedByTamper:    words("记录的 MAC：AEAD 认证标签验证失败（RFC 8446 §5.2，RFC 5246 §6.2.3.3）"),
	msgStoppedByReplay:    words("序列号：每条记录的 nonce 和 MAC 输入里都有一个双方各自计数、从不发送的序号（RFC 8446 §5.3，RFC 5246 §6.2.3.3）"),
	msgStoppedByImpostor:  words("证书验证：证书链通不到客户端信任的 CA（RFC 5280 §6）"),
	msgStoppedByDowngrade: words(`降级哨兵：支持 TLS 1.3 的服务端用 TLS 1.2 回应时，ServerHello.random 以 DOWNGRD\x01 结尾，客户端会检查它（RFC 8446 §4.1.3）；即使没有它，被改动的握手记录也会让 Finished MAC 对不上`),
	msgTamperAfterHeader:  words("紧跟在记录头之后"),
	msgTamperAfterNonce:   words("紧跟在 %d 字节的显式 nonce 之后"),
	msgTamperFlip: para("它把第 %[2]d 条记录的第 %[1]d 个字节（从 1 数起，记录头也算在内）的最低位翻转（%02[3]x -> %02[4]x），这是密文的第一个字节，%[5]s。" +
		"这种加密是把明文和密钥流做异或，所以服务端本会解出“FET %[6]s”而不是“GET %[7]s”——" +
		"但认证标签对不上了，服务端拒收这条记录："),
	msgTamperReadNone: para("被篡改的请求，服务端一个字节也没有读到。"),
	msgTamperReadSome: para("服务端读到了 %d 字节被篡改的请求！"),
	msgReplay13: para("副本和客户端加密的那条记录一字节不差。但每条记录的 nonce 里都混入了一个 64 位序列号，" +
		"双方各自计数、从不发送：副本被当作下一条记录来解密，用的是错误的 nonce，于是像伪造的记录一样失败："),
	msgReplay12: para("副本和客户端加密的那条记录一字节不差。但认证标签所覆盖的数据以一个 64 位序列号开头，" +
		"双方各自计数、从不发送（线路上的显式 nonce 只是发送方自己的事）。" +
		"副本被当作下一条记录来核对，序列号不对，于是像伪造的记录一样失败："),
	msgCopy1:       words("按顺序打开：服务端响应了 %q"),
	msgCopy2:       words("作为下一条记录打开：%s"),
	msgReplayEnd13: para("这正是原文说的“SSL 使用序列号来保护通讯方免受报文重放攻击”，而且在线路上一个字节也不多花。"),
	msgReplayEnd12: para("这正是原文说的“SSL 使用序列号来保护通讯方免受报文重放攻击”。"),
	msgImpostorAnswers: para("攻击者不再转发，而是自己用一个 Lucid TLS 服务端来应答客户端，出示的证书同样写着 localhost，" +
		"却是由它刚刚自制的 CA 签发的："),
	msgImpostorRefused: para("客户端只信任 %s，所以拒绝了："),
	msgImpostorWouldRead: para("如果客户端继续下去，中继就能读到明文的请求，再通过它自己和真正服务端之间的 TLS 连接转发过去——" +
		"这就是中间人攻击。它读到了 %d 字节。原文中的浏览器会弹出警告，把是否继续的决定权交给用户" +
		"（原文说“这里将是一个安全缺陷”）；Lucid 的客户端直接停止。"),
	msgDowngradeRewrites:   para("中间人解析 ClientHello，并改写它："),
	msgDowngradeLength:     words("%d -> %d 字节，记录头里的长度已改好"),
	msgDowngradeAnyVersion: para("（这个攻击中两端都允许 TLS 1.3，不受 --tls 限制：降级攻击抢走的，正是两端本可以用上的更好的版本。）"),
	msgDowngradeSentinel: para("服务端只看到 TLS 1.2，于是用 TLS 1.2 回应。但能支持 TLS 1.3 的服务端必须在 ServerHello.random 的末尾" +
		"放一个哨兵值（RFC 8446 §4.1.3），中间人也看到了："),
	msgDowngradeCaught: para("中间人删不掉它：随机值在两个 Finished MAC 所覆盖的握手记录里，任何改动都会让握手失败。" +
		"客户端提供过 TLS 1.3，看到哨兵值，就在发送任何数据之前中止了握手："),
	msgStoppedByReplay0RTT: words("防重放守卫：在票据年龄仍然新鲜的时间窗内，服务端对同一个 ClientHello 的早期数据只接受一次（RFC 8446 §8.2、§8.3）；重放的握手退回 1-RTT，停在客户端的 Finished 上，而攻击者造不出它"),
	msgZeroRTTAnyVersion:   para("（0-RTT 只有 TLS 1.3 才有：这个攻击中两端都使用 TLS 1.3，不受 --tls 和 --kx 限制。）"),
	msgZeroRTTIntro: para("TLS 1.3 允许恢复会话的客户端在第一批报文里就把请求发出去，不等握手完成：这就是 0-RTT 早期数据（RFC 8446 §2.3）。" +
		"它省下一个往返，但有代价。这里的服务端最多接受 %d 字节早期数据（Config.MaxEarlyData），" +
		"并在它发出的票据里写明这一点（带 early_data 的 NewSessionTicket）。"),
	msgZeroRTTResume: para("先是一次完整握手，直接连到服务端：请求得到响应，客户端留下票据。" +
		"然后客户端经过中间人恢复会话，把同一个 GET 作为早期数据发出（Config.SendEarlyData），" +
		"用 client_early_traffic_secret 加密：这个密钥只由票据的 PSK 和 ClientHello 推导而来。" +
		"中间人记下客户端的第一批报文，也就是客户端在等待服务端之前发出的全部内容："),
	msgFlightHello:     words("ClientHello：票据（pre_shared_key）和 early_data"),
	msgFlightEarly:     words("早期数据：加密的 GET 请求"),
	msgAnswerEncrypted: words("已加密：中间人读不了"),
	msgZeroRTTAccepted: para("服务端接受了它，在客户端的 Finished 到达之前就响应了 %q：省下的正是这个往返。"),
	msgZeroRTTWhy: para("攻击 B 之所以失败，是因为序列号为同一条连接里的记录计数——原文说的“SSL 使用序列号来保护通讯方免受报文重放攻击”。" +
		"但序列号管不到别的连接。把第一批报文重新发一遍，就开始了一条新连接，早期数据在那里又是第 0 条记录，" +
		"用的还是同一个密钥，因为这个密钥与服务端毫无关系。RFC 8446 §8 说得很清楚：0-RTT 数据在不同连接之间没有任何防重放保护；" +
		"只有服务端能拒绝它，靠的是记住。于是中间人向同一个服务端开一条新连接，把记下的报文一字节不差地发过去。" +
		"服务端的事件，按 Lucid 的时间线打印如下："),
	msgZeroRTTGuard: para("“rejected: replay”（因重放而拒绝）就是守卫的判断。RFC 8446 §8 给出两种防御：" +
		"一次性票据（§8.1），票据用过一次服务端就忘掉它；以及记录 ClientHello（§8.2），也就是 Lucid 的守卫（Config.EarlyDataGuard）。" +
		"它为每个早期数据被接受的 ClientHello 保存一个摘要：取自它的随机值和 PSK binder，没有 PSK 谁也改不了。" +
		"新鲜度检查（§8.3：客户端报告的票据年龄必须与服务端的时钟相差不超过 5 秒）让守卫可以遗忘：更旧的 ClientHello 反正过不了这一关。" +
		"所以守卫的大小是有界的（默认最多 65536 条，每条最多保留 20 秒），满了就拒绝早期数据，而不是忘掉旧的记录。"),
	msgZeroRTTAdmitted: para("守卫两次放行了同一个 ClientHello：服务端接受了重放的早期数据，又执行了一次处理函数。"),
	msgZeroRTTGoesOn: para("早期数据不经读取就被跳过，握手退回 1-RTT：先是 ServerHello，然后是用这条连接自己的密钥交换所得密钥加密的 " +
		"EncryptedExtensions 和 Finished。现在服务端等待客户端的 Finished，这个 MAC 既需要这些密钥，也需要 PSK。" +
		"中间人两样都没有，只能挂断："),
	msgZeroRTTRuns: words("%d 次（客户端用 0-RTT 发出的那一个请求）"),
	msgZeroRTTEnd: para("守卫保证 TLS 不会把早期数据交付两次。应用拿它做什么，由应用自己决定：" +
		"RFC 8470 要求只对可以安全重复的请求在早期数据中执行，Lucid 的 https 服务端对其余请求回应 425 Too Early。"),
	msgShareValue: words("%s（%d 字节）"),
	msgMoreBytes:  words("……还有 %d 字节"),

	msgLabelECH:         words("ECH"),
	msgLabelInnerName:   words("内层名字"),
	msgServerNamePublic: words("%s（SNI：公开名，不是要访问的网站）"),
	msgECHValue:         words("配置 %d，%s，密文 %d 字节"),
	msgLabelPublicCert:  words("公开名"),
	msgPublicCertValue:  words("%s（%s，用于打不开的 ECH）"),
	msgECHGrease:        para(`这个 ClientHello 还带着一个 encrypted_client_hello 扩展，但它是 GREASE：一串任何服务端都打不开的随机字节（RFC 9849 §6.2）。没有 ECH 配置的客户端也发送它，这样真正使用 ECH 的客户端就不显眼。上面的网站名仍然是明文，正如原文第一步所说：客户端打招呼，并说出要访问的网站。lucid demo --ech 可以把它藏起来。`),
	msgECHWhy:           para(`这是外层的 ClientHello（加密的 ClientHello，ECH，RFC 9849）。原文第一步里，客户端打招呼并说出要访问的网站；没有 ECH 时，这个名字（SNI）是明文，路径上的任何人都能读到。这里客户端事先拿到了服务端的 ECH 配置（本应来自 DNS 的 HTTPS 记录里的 ech= 参数；演示直接在内存里交给它）：一把公钥和一个公开名 %[1]s。客户端写好真正的 ClientHello（里面的名字是 %[2]s），用 HPKE（RFC 9180）按这把公钥加密：先做 X25519 密钥封装，再用 %[3]s。它把密文放进外层 ClientHello 的 encrypted_client_hello 扩展里，外层只写公开名。窃听者转发了 %[4]d 字节的 ClientHello，在里面读到的是 %[5]s，而从来不是 %[6]s。`),
	msgECHServer:        para(`服务端用它的 ECH 私钥打开了内层 ClientHello，并按内层的继续握手，而不是外层的。它的事件记录写道：`),
	msgInnerNameValue:   words("%s（服务端回应的 ClientHelloInner）"),
	msgECHDemoOpened:    para(`演示程序用服务端的私钥，从抓包里把它再打开一次，和服务端的做法一样；窃听者没有这把私钥。内层 ClientHello 共 %d 字节，名字是 %s。第 6 步的握手记录、密钥日志里的秘密和 Finished MAC，都属于内层的 ClientHello。`),
	msgECHConfirm:       para(`客户端怎么知道服务端读的是内层：ServerHello 随机值的最后 8 字节是一个接受确认，由内层 ClientHello 的随机值和握手记录推导而来（RFC 9849 §7.2），只有解密了内层的服务端才算得出来。如果对不上，客户端就当作被拒绝：按公开名检查证书，然后用 ech_required 警报结束连接，并保留服务端给的重试配置，下次连接用一次（§6.1.6）。客户端写道：`),
	msgECHStillSeen:     para(`窃听者仍然看得到的：公开名、服务端的 IP 地址和端口、连接用了 ECH，以及记录的大小和时间。内层 ClientHello 做了填充，名字的长度不会泄露（§6.1.3）；没有配置的客户端发送 GREASE，使用 ECH 也就不显眼（§6.2）。`),
	msgServerRandomECH:  words("32 字节；最后 8 字节确认 ECH（RFC 9849 §7.2）"),
	msgInnerECHHello:    words("外层 ClientHello，真正的封在里面"),
	msgECHAttacks:       para(`下面的攻击也在 ECH 下进行，只有降级和 0-RTT 重放例外：用 ECH 时客户端只提供 TLS 1.3，没有可降级的版本，也不在 ECH 里发送早期数据。冒充者没有 ECH 私钥，打不开内层 ClientHello，只能以公开名的身份回应，而它的证书仍然必须能追溯到演示的 CA。`),
	msgDone:             wrapped("用时 %v：%d 个攻击，%d 个被阻止。没有写入任何文件；CA 和密钥随这个进程一起消失。"),
}}
