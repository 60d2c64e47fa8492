export { type GatewayConfig, GatewayConfigSchema, loadGatewayConfig, weakSipPasswordReason } from './config';
export { Gateway, type GatewayOptions } from './gateway';
export { GatewayMetrics } from './metrics';
