/**
 * Diffie-Hellman groups for the operator stand-in, written out so that no `openssl dhparam` run (slow) is
 * needed: ffdhe2048 of RFC 7919 for the MSSanté profile (DH ≥ 2048, digest §A2), and a 1024-bit group for the
 * `weak` mode, where the client must drop the connection.
 */
export const ffdhe2048Pem = `-----BEGIN DH PARAMETERS-----
MIIBCAKCAQEA//////////+t+FRYortKmq/cViAnPTzx2LnFg84tNpWp4TZBFGQz
+8yTnc4kmz75fS/jY2MMddj2gbICrsRhetPfHtXV/WVhJDP1H18GbtCFY2VVPe0a
87VXE15/V8k1mE8McODmi3fipona8+/och3xWKE2rec1MKzKT0g6eXq8CrGCsyT7
YdEIqUuyyOP7uWrat2DX9GgdT0Kj3jlN9K5W7edjcrsZCwenyO4KbXCeAvzhzffi
7MA0BM0oNC9hkXL+nOmFg/+OTxIy7vKBg8P+OxtMb61zO7X8vC7CIAXFjvGDfRaD
ssbzSibBsu/6iGtCOGEoXJf//////////wIBAg==
-----END DH PARAMETERS-----
`;

export const weakDh1024Pem = `-----BEGIN DH PARAMETERS-----
MIGHAoGBAO/F0wzHffkDn5QbFXDFVnDQtTv2ptiCXLH8PA8D0rMboSbEwFnzN37R
J0igLTMF0OWAK+Uisbj/SVLTvA2fMzuPOpuJTIkaGjklgxsbTjFjGuG6Jr3YCLWN
QFKDzCkV1GTgscaIXch5G6bFXTTz39NitTFyAiw1Qh/BeiLuS+UvAgEC
-----END DH PARAMETERS-----
`;
