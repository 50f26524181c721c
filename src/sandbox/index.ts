export { buildVoletAMessage, hl7Timestamp } from './volet-a-message.js';
export type { VoletAMessageOptions } from './volet-a-message.js';
export { demoScenario } from './demo-scenario.js';
export type { ScenarioMessage } from './demo-scenario.js';
export { demoPatients, demoAuthor, demoOrganization, nirKey, INS_NIR_TEST_OID } from './demo-patients.js';
export { sendMessages, readAck } from './dpi-simulator.js';
export type { SentMessage } from './dpi-simulator.js';
