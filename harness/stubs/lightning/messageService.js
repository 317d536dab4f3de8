// Harness stand-in for lightning/messageService. window.__switchboard.publishDial({number,
// recordId, source}) plays the record page's click-to-dial component.
import state from '../harness-state';

export const APPLICATION_SCOPE = Symbol('APPLICATION_SCOPE');
const context = { harness: true };

export class MessageContext {
  constructor(callback) {
    this.callback = callback;
  }
  connect() {
    this.callback(context);
  }
  disconnect() {}
  update() {}
}

export function subscribe(_context, channel, listener) {
  const subscription = { channel, listener };
  state.dialListeners.push(subscription);
  return subscription;
}

export function unsubscribe(subscription) {
  state.dialListeners = state.dialListeners.filter((s) => s !== subscription);
}

export function publish(_context, _channel, message) {
  for (const subscription of state.dialListeners) subscription.listener(message);
}

state.publishDial = (message) => publish(context, null, message);
