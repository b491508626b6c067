//! Bootstrapping spec skeletons from the upstream catalogue (filled in below).
