-- Members browse stock by shelf or by category, in the order of the description. With
-- these the list reads only the page's rows instead of filtering the whole description
-- order for the shelf's or the category's items.
DROP INDEX stock_items_location;
CREATE INDEX stock_items_location_description ON stock_items (location_id, description, id);
CREATE INDEX stock_items_category_description ON stock_items (category_id, description, id);
