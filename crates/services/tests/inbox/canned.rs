//! Canned replies through the services (filled in below).
