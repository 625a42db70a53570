// `import IOMKit` is enough to use the domain types (Mission, PublicEvent, ProtectionCase, …).
@_exported import IOMDomain
