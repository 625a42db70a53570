import CZeroMQ

/// The ZeroMQ socket patterns this wrapper supports.
package enum SocketType: Sendable, CaseIterable, CustomStringConvertible {
    /// Publisher: sends to every matching subscriber, drops when a subscriber is full.
    case pub
    /// Subscriber: receives messages whose first frame starts with a subscribed prefix.
    case sub
    /// Extended publisher: like ``pub`` but receives subscription messages.
    case xpub
    /// Extended subscriber: like ``sub`` but sends subscriptions as messages.
    case xsub
    /// Router: prefixes each received message with the sender's routing id.
    case router
    /// Dealer: round-robins outgoing messages, fair-queues incoming ones.
    case dealer
    /// Pipeline source.
    case push
    /// Pipeline sink.
    case pull
    /// Exclusive pair of two sockets.
    case pair

    var rawValue: Int32 {
        switch self {
        case .pub: ZMQ_PUB
        case .sub: ZMQ_SUB
        case .xpub: ZMQ_XPUB
        case .xsub: ZMQ_XSUB
        case .router: ZMQ_ROUTER
        case .dealer: ZMQ_DEALER
        case .push: ZMQ_PUSH
        case .pull: ZMQ_PULL
        case .pair: ZMQ_PAIR
        }
    }

    package var description: String {
        switch self {
        case .pub: "PUB"
        case .sub: "SUB"
        case .xpub: "XPUB"
        case .xsub: "XSUB"
        case .router: "ROUTER"
        case .dealer: "DEALER"
        case .push: "PUSH"
        case .pull: "PULL"
        case .pair: "PAIR"
        }
    }
}
