// The port is shared with the worker (event deliveries sign the same way); re-exported for data-plane imports.
export type {
  WebhookCall,
  WebhookFailure,
  WebhookInvoker,
  WebhookResult,
} from '@tessera/shared/plugins/webhook-invoker';
