-- Fill the totals from the rows written before they were kept.
INSERT INTO ledger_totals (utc_hour, category_id, direction, lines, grams)
SELECT {{utc_hour d.received_at}}, l.category_id, 'in', COUNT(*), SUM(l.weight_g)
FROM donation_lines l JOIN donations d ON d.id = l.donation_id
WHERE d.voided_at IS NULL
GROUP BY 1, 2;

INSERT INTO ledger_totals (utc_hour, category_id, direction, lines, grams)
SELECT {{utc_hour r.collected_at}}, i.category_id, 'out', COUNT(*), SUM(l.collected_milli * l.grams_per_unit / 1000)
FROM reservation_lines l JOIN reservations r ON r.id = l.reservation_id JOIN stock_items i ON i.id = l.stock_item_id
WHERE r.status = 'collected' AND l.collected_milli IS NOT NULL
GROUP BY 1, 2;

INSERT INTO donation_totals (utc_hour, donations)
SELECT {{utc_hour received_at}}, COUNT(*) FROM donations WHERE voided_at IS NULL GROUP BY 1;
