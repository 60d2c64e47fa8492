/**
 * The device password of open admission where tests and benchmarks start a gateway for simulated devices
 * (TESSERA_SIP_PASSWORD): the gateway refuses to start on a weak one such as the devices' factory 12345678
 * (gateway/src/config.ts), so the simulators there use this one. Never a deployment's: `npm start` generates its own.
 */
export const SIMULATED_DEVICE_PASSWORD = 'simulated-city-devices';
