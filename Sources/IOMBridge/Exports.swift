// The view enum of the security model is the bridge's too: `import IOMBridge` brings it.
@_exported import enum IOMSecurity.BridgeView
