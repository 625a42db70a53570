// The journal speaks the domain's words: a change's source and kind are IOMDomain's types, and
// `import IOMStore` brings them.
@_exported import struct IOMDomain.SourceID
@_exported import enum IOMDomain.ChangeKind
