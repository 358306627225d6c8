"""Writes the sample sources the import tests use (run once; the outputs are committed).

    .venv/bin/python tests/importing/samples/make_samples.py

``field-service.xlsx`` is a spreadsheet as teams really keep them: a title in merged cells above
the header, mixed date formats, currency symbols and thousands separators, a formula, a total
line, blank rows, and a few rows that cannot be loaded. ``legacy.db`` is a small SQLite shop
database with primary keys, foreign keys and unique constraints.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path

from openpyxl import Workbook

HERE = Path(__file__).parent


def spreadsheet(path: Path) -> None:
    book = Workbook()
    customers = book.active
    assert customers is not None
    customers.title = "Customers"
    customers["A1"] = "ACME Field Service — customer list (updated weekly)"
    customers.merge_cells("A1:H1")
    customers.append([])
    customers.append(["Customer ID", "Company", "Contact email", "Phone", "Customer since",
                      "Credit limit", "Active", "Segment"])
    rows = [
        ("C001", "Northwind Traders", "ops@northwind.example", "+44 20 7946 0001",
         "2023-01-05", "£1,200.00", "Yes", "SMB"),
        ("C002", "Contoso Ltd", "facilities@contoso.example", "+44 20 7946 0002",
         "05/02/2023", "£12,500.00", "Yes", "Enterprise"),
        ("C003", "Fabrikam", "hello@fabrikam.example", "+44 161 496 0003", "3 Mar 2023",
         "£950", "No", "SMB"),
        ("C004", "City of Springfield", "works@springfield.example", "+44 113 496 0004",
         dt.datetime(2023, 4, 17), "£40,000.00", "Yes", "Public"),
        ("C005", "Tailspin Toys", "care@tailspin.example", "+44 117 496 0005", "Jun 9, 2023",
         "£2,000.50", "yes", "SMB"),
        ("C006", "Wide World Importers", "it@wwi.example", "+44 131 496 0006", "14/07/2023",
         "£8,750.00", "Yes", "Enterprise"),
    ]
    for row in rows:
        customers.append(list(row))

    jobs = book.create_sheet("Jobs")
    jobs.append(["Job no", "Customer", "Scheduled", "Hours", "Price", "Status", "Notes"])
    statuses = ["Open", "Done", "Done", "Cancelled", "Open", "Done"]
    for i in range(1, 31):
        customer = rows[i % len(rows)][0]
        jobs.append([1000 + i, customer, f"2024-03-{(i % 28) + 1:02d} {8 + i % 9:02d}:30",
                     f"{1 + (i % 5) * 0.5:.1f}", f"£{150 + i * 37:,}.{i % 100:02d}",
                     statuses[i % len(statuses)], f"Visit {i}: boiler service" if i % 3
                     else None])
    jobs.append([1031, "C999", "2024-03-30 10:30", "2.0", "£300.00", "Open",
                 "Customer not on the list"])
    jobs.append([1032, "C002", "2024-03-31 11:30", "2.0", "£1,450.00", "Open",
                 "Typo in the hours"])
    jobs["D33"] = "two"
    jobs.append([None] * 7)
    jobs.append(["Total", None, None, None, "=SUM(E2:E33)", None, None])
    jobs.append([None] * 7)
    book.save(path)


def database(path: Path) -> None:
    path.unlink(missing_ok=True)
    db = sqlite3.connect(path)
    db.executescript("""
        CREATE TABLE customers (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL,
            email VARCHAR(120) UNIQUE,
            phone VARCHAR(30),
            created DATE NOT NULL
        );
        CREATE TABLE products (
            sku VARCHAR(20) PRIMARY KEY,
            title VARCHAR(200) NOT NULL,
            price NUMERIC(10, 2) NOT NULL,
            active BOOLEAN NOT NULL DEFAULT 1
        );
        CREATE TABLE orders (
            id INTEGER PRIMARY KEY,
            customer_id INTEGER NOT NULL REFERENCES customers(id),
            ordered_at DATETIME NOT NULL,
            status VARCHAR(20) NOT NULL,
            note TEXT
        );
        CREATE TABLE order_lines (
            id INTEGER PRIMARY KEY,
            order_id INTEGER NOT NULL REFERENCES orders(id),
            product_sku VARCHAR(20) NOT NULL REFERENCES products(sku),
            quantity INTEGER NOT NULL,
            UNIQUE (order_id, product_sku)
        );
    """)
    customers = [(i, f"Customer {i}", f"buyer{i}@shop.example", f"+1 555 010 {i:04d}",
                  f"2022-{(i % 12) + 1:02d}-{(i % 27) + 1:02d}") for i in range(1, 21)]
    db.executemany("INSERT INTO customers VALUES (?, ?, ?, ?, ?)", customers)
    products = [(f"SKU-{i:03d}", f"Product {i}", f"{i * 3}.{i % 100:02d}", i % 4 != 0)
                for i in range(1, 11)]
    db.executemany("INSERT INTO products VALUES (?, ?, ?, ?)", products)
    statuses = ["new", "paid", "shipped", "cancelled"]
    orders = [(i, (i % 20) + 1, f"2024-0{(i % 9) + 1}-1{i % 10} 12:{i % 60:02d}:00",
               statuses[i % 4], None if i % 2 else f"Leave at door {i}") for i in range(1, 41)]
    db.executemany("INSERT INTO orders VALUES (?, ?, ?, ?, ?)", orders)
    lines = [(i, (i % 40) + 1, f"SKU-{(i % 10) + 1:03d}", (i % 5) + 1) for i in range(1, 81)
             if ((i % 40) + 1, (i % 10) + 1) not in {((j % 40) + 1, (j % 10) + 1)
                                                    for j in range(1, i)}]
    db.executemany("INSERT INTO order_lines VALUES (?, ?, ?, ?)", lines)
    db.commit()
    db.close()


if __name__ == "__main__":
    spreadsheet(HERE / "field-service.xlsx")
    database(HERE / "legacy.db")
