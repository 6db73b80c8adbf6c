//! Adapter placeholder: replaced by the real adapter (see paystablecoin/ for the layout).
