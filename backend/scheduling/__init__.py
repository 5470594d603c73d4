"""Services, staff, opening hours, bookable slots and the bookings made on them."""
