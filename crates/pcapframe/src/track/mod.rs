//! Conversation state that tshark keeps across frames: stream indexes, relative sequence
//! numbers, window scaling, IP reassembly.

mod conversation;
mod defrag;
mod tcp;
mod udp;

pub use conversation::{ConvKey, Endpoint};
pub use defrag::{Defragmenter, FragmentKey, FragmentLimits, Reassembled};
pub use tcp::{TcpSegment, TcpTracker, TcpView};
pub use udp::UdpTracker;
