// Public surface of src/hl7/: ER7 codec, charsets, generic ACK, MLLP framing, server and client.
export { defaultDelimiters } from './delimiters.js';
export type { Delimiters } from './delimiters.js';
export { encodeEr7 } from './charset.js';
export type { Hl7Charset } from './charset.js';
export { formatLocation } from './location.js';
export type { Hl7Location } from './location.js';
export { Hl7Message, Hl7Segment, Hl7Field } from './hl7-message.js';
export { parseEr7 } from './er7-parse.js';
export type { ParseOptions } from './er7-parse.js';
export { serializeEr7 } from './er7-serialize.js';
export type { ComponentValue, FieldValue, SegmentValue } from './er7-serialize.js';
export { escapeHl7, unescapeHl7 } from './er7-escape.js';
export { buildAck } from './ack.js';
export type { AckError, AckOptions } from './ack.js';
export { sniffHeader } from './header-sniff.js';
export type { HeaderInfo } from './header-sniff.js';
export { MLLP_START, MLLP_END, MLLP_CR, MllpFramer, frameMllp } from './mllp-framer.js';
export type { FramerEvent, MllpFramerOptions } from './mllp-framer.js';
export { MllpServer } from './mllp-server.js';
export { MllpClient } from './mllp-client.js';
export type {
  MllpTlsOptions, MllpClientTlsOptions, MllpConnectionInfo, MllpHandler, MllpOversizeHandler,
  MllpServerOptions, MllpClientOptions,
} from './mllp-types.js';
export type { Logger } from './logger.js';
