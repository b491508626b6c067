//! What a gateway remembers, behind one lock: the merchant's ledger (balance and a
//! sequence for ids) and each product model's own state, found by its type. A new
//! model keeps its state in a `Default` type of its own module and reaches it with
//! [`Parts::get_mut`]; nothing here changes.

use std::any::{Any, TypeId};
use std::collections::HashMap;

use alipay_api::{Amount, BeijingDateTime};

/// Everything behind the gateway's state lock.
#[derive(Debug)]
pub(crate) struct Store {
    /// Money and numbering shared by every product.
    pub(crate) ledger: Ledger,
    /// Each model's own state.
    pub(crate) parts: Parts,
}

impl Store {
    /// An empty store; the merchant starts with `balance`.
    pub(crate) fn new(balance: Amount) -> Self {
        Store {
            ledger: Ledger { balance, seq: 0 },
            parts: Parts::default(),
        }
    }
}

/// The merchant's balance and the sequence ids are drawn from.
#[derive(Debug)]
pub(crate) struct Ledger {
    /// Receipts in, refunds out.
    pub(crate) balance: Amount,
    seq: u64,
}

impl Ledger {
    /// The next number of the gateway-wide sequence (trade numbers, ids, tokens).
    pub(crate) fn next_seq(&mut self) -> u64 {
        self.seq += 1;
        self.seq
    }

    /// A fresh number `width` digits long: the Beijing date, then the next number of
    /// the sequence, zero-padded (the shape of Alipay's order and detail numbers).
    pub(crate) fn dated_no(&mut self, now: BeijingDateTime, width: usize) -> String {
        let n = self.next_seq();
        let date = now.naive().format("%Y%m%d").to_string();
        format!("{date}{n:0>w$}", w = width.saturating_sub(date.len()))
    }
}

/// Model states by type. Each model owns its type, so models cannot collide.
#[derive(Default)]
pub(crate) struct Parts(HashMap<TypeId, Box<dyn Any + Send>>);

impl std::fmt::Debug for Parts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Parts({} model states)", self.0.len())
    }
}

impl Parts {
    /// A model's state, created empty on first use.
    pub(crate) fn get_mut<T: Default + Send + 'static>(&mut self) -> &mut T {
        let slot = self
            .0
            .entry(TypeId::of::<T>())
            .or_insert_with(|| Box::new(T::default()));
        match slot.downcast_mut::<T>() {
            Some(t) => t,
            // Entries are only ever inserted under their own type's id.
            None => unreachable!("a model state stored under another type's id"),
        }
    }

    /// A model's state, if it was ever used.
    pub(crate) fn get<T: 'static>(&self) -> Option<&T> {
        self.0.get(&TypeId::of::<T>())?.downcast_ref::<T>()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Default, PartialEq)]
    struct A(u32);
    #[derive(Debug, Default, PartialEq)]
    struct B(u32);

    #[test]
    fn parts_are_kept_apart_by_type() {
        let mut s = Store::new(Amount::ZERO);
        assert_eq!(s.parts.get::<A>(), None);
        s.parts.get_mut::<A>().0 = 7;
        s.parts.get_mut::<B>().0 = 9;
        assert_eq!(s.parts.get::<A>(), Some(&A(7)));
        assert_eq!(s.parts.get::<B>(), Some(&B(9)));
        assert_eq!((s.ledger.next_seq(), s.ledger.next_seq()), (1, 2));
        let no = s.ledger.dated_no(BeijingDateTime::now(), 32);
        assert_eq!(no.len(), 32);
        assert!(no.ends_with("03") && no.bytes().all(|b| b.is_ascii_digit()));
    }
}
