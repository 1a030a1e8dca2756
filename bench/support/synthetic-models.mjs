// The model class both synthetic schemas of the benchmarks are built from: a chain link with
// typical columns (string, unique code, nullable text, numeric with default, enum, date) and a
// parent/children relationship pair to its neighbours in the chain.

/**
 * Lines of one class. `parent` and `child` are the neighbouring classes ({cls, table}) or null; a
 * class with a parent has a unique (parent_id, code), the first of a chain a unique code.
 */
export function chainModelLines({ cls, table, parent, child }) {
  const out = [`class ${cls}(Base):`, `    __tablename__ = "${table}"`];
  if (parent) out.push('    __table_args__ = (UniqueConstraint("parent_id", "code"),)');
  out.push(
    '',
    '    id: Mapped[int] = mapped_column(primary_key=True)',
    '    name: Mapped[str] = mapped_column(String(100))',
    `    code: Mapped[str] = mapped_column(String(20)${parent ? '' : ', unique=True'})`,
    '    note: Mapped[Optional[str]] = mapped_column(String(500))',
    '    amount: Mapped[Decimal] = mapped_column(Numeric(12, 2), default=Decimal("0"))',
    '    status: Mapped[Status] = mapped_column(Enum(Status, name="status"), default=Status.draft)',
    '    created_on: Mapped[datetime.date] = mapped_column(Date)',
  );
  if (parent) {
    out.push(
      `    parent_id: Mapped[int] = mapped_column(ForeignKey("${parent.table}.id"))`,
      `    parent: Mapped[${parent.cls}] = relationship(back_populates="children")`,
    );
  }
  if (child) {
    out.push(`    children: Mapped[list[${child.cls}]] = relationship(back_populates="parent")`);
  }
  return out;
}
