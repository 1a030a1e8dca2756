"""Inheritance, composite keys, self-reference, association tables and objects, ondelete."""

import datetime
import decimal

from sqlalchemy import func, select, text

from school.models import (
    Article,
    Car,
    Category,
    Contractor,
    Course,
    Employee,
    Enrollment,
    Person,
    StockLine,
    Student,
    Tag,
    Truck,
    Vehicle,
    Warehouse,
    article_tag,
)


def _count(session, model):
    return session.scalar(select(func.count()).select_from(model))


def test_joined_and_single_table_inheritance(inheritance, db_session):
    s = inheritance
    boss_id, staff_ids = s.boss.id, [e.id for e in s.staff]
    db_session.expire_all()
    # Counts per class: an Employee is a Person too; a Car and a Truck are Vehicles.
    assert [_count(db_session, m) for m in (Person, Employee, Contractor)] == [6, 3, 2]
    counts = [_count(db_session, m) for m in (Vehicle, Car, Truck)]
    assert counts == [4, 2, 1]
    assert sorted(type(v).__name__ for v in db_session.scalars(select(Vehicle))) == [
        "Car", "Car", "Truck", "Vehicle",
    ]
    # The discriminators were left to the ORM.
    kinds = db_session.execute(text("SELECT name, kind FROM person ORDER BY id")).all()
    assert sorted(kinds) == [
        ("Boss", "employee"),
        ("Staff 1", "employee"),
        ("Staff 2", "employee"),
        ("Temp 1", "contractor"),
        ("Temp 2", "contractor"),
        ("Visitor", "person"),
    ]
    temps = db_session.scalars(select(Contractor).order_by(Contractor.contractor_id)).all()
    assert [(t.name, t.contractor_id == t.id) for t in temps] == [("Temp 1", True), ("Temp 2", True)]
    assert [t.agency for t in temps] == ["temps-1", "temps-2"]  # synthesized
    assert sorted(db_session.scalars(text("SELECT type FROM vehicle"))) == ["car", "car", "truck", "vehicle"]
    boss = db_session.get(Employee, boss_id)
    assert (boss.name, boss.salary) == ("Boss", decimal.Decimal("9000.00"))
    staff = [db_session.get(Employee, k) for k in staff_ids]
    # A reference to a subclass instance where the base class is expected, and to the base class.
    assert [type(e.mentor).__name__ for e in staff] == ["Employee", "Person"]
    assert staff[0].mentor.id == boss_id and staff[0].salary == decimal.Decimal("4200.50")
    truck = db_session.scalars(select(Truck)).one()
    assert (truck.wheels, truck.payload_kg) == (6, 12000)
    assert sorted(c.doors for c in db_session.scalars(select(Car))) == [3, 5]


def test_composite_primary_keys(composite_keys, db_session):
    depot_id = composite_keys.depot.id
    db_session.expire_all()
    rows = db_session.execute(
        select(StockLine.warehouse_id, StockLine.sku, StockLine.line_no, StockLine.quantity)
        .order_by(StockLine.sku, StockLine.line_no)
    ).all()
    assert [tuple(r) for r in rows] == [
        (depot_id, "SKU-1", 1, 10),
        (depot_id, "SKU-2", 2, 20),
        (depot_id, "SKU-3", 3, 30),
        # Key columns nothing generates are synthesized, distinct per instance.
        (depot_id, "synthesized-1", 11, 1),
        (depot_id, "synthesized-2", 12, 1),
        (depot_id, "synthesized-3", 13, 1),
    ]
    assert db_session.get(StockLine, (depot_id, "SKU-2", 2)).quantity == 20
    assert len(db_session.get(Warehouse, depot_id).lines) == 6


def test_self_reference_and_association_table_and_object(links, db_session):
    s = links
    root_id = s.root.id
    article_ids = [a.id for a in s.articles]
    tag_labels = [t.label for t in s.tags]
    db_session.expire_all()
    root = db_session.get(Category, root_id)
    assert [b.name for b in root.children] == ["Branch 1", "Branch 2"]
    assert [[leaf.name for leaf in b.children] for b in root.children] == [
        ["Leaf 1", "Leaf 2"],
        ["Leaf 3", "Leaf 4"],
    ]
    articles = [db_session.get(Article, k) for k in article_ids]
    # Set from both sides of the association table: articles take every tag, featured takes one article.
    assert sorted(t.label for t in articles[0].tags) == sorted(tag_labels)
    assert sorted(t.label for t in articles[1].tags) == sorted([*tag_labels, "featured"])
    assert _count(db_session, article_tag) == 7
    enrollments = db_session.scalars(select(Enrollment).order_by(Enrollment.course_id, Enrollment.student_id)).all()
    assert [(e.student.name, e.course.title, e.grade) for e in enrollments] == [
        ("Student 1", "Course 1", "A"),
        ("Student 2", "Course 1", None),
        ("Student 1", "Course 2", "A"),
        ("Student 2", "Course 2", None),
    ]
    assert {e.enrolled_on for e in enrollments} == {datetime.date(2025, 9, 1)}
    assert len(db_session.scalars(select(Student)).first().enrollments) == 2


def test_ondelete_rules_apply(links, composite_keys, db_session):
    db_session.execute(text("DELETE FROM category WHERE id = :id"), {"id": links.root.id})  # SET NULL
    db_session.execute(text("DELETE FROM warehouse WHERE id = :id"), {"id": composite_keys.depot.id})
    db_session.execute(text("DELETE FROM course"))  # CASCADE to enrollments
    db_session.expire_all()
    assert sorted(c.parent_id is None for c in db_session.scalars(select(Category))) == [
        False, False, False, False, True, True,
    ]
    assert _count(db_session, StockLine) == 0 and _count(db_session, Enrollment) == 0


def test_each_test_starts_empty(db_session):
    for model in (Person, Vehicle, Warehouse, StockLine, Category, Article, Tag, Student, Course, Enrollment):
        assert _count(db_session, model) == 0
