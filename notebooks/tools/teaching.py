"""Teacher and student versions of a notebook with exercises.

A cell tagged "exercise" asks a question; a cell tagged "solution" answers it. The teacher's version
is the executed notebook as it is. The students' version drops every solution cell and leaves, after
each exercise, one empty code cell (tagged "answer") to fill in.
"""
import copy

EXERCISE, SOLUTION, ANSWER = "exercise", "solution", "answer"


def tags(cell):
    return cell.get("metadata", {}).get("tags", [])


def has_exercises(nb):
    return any(EXERCISE in tags(c) for c in nb.cells)


def student_version(nb):
    """A copy of NB without solutions, with an empty code cell after each exercise."""
    import nbformat

    students = copy.deepcopy(nb)
    cells = []
    for cell in students.cells:
        if SOLUTION in tags(cell):
            continue
        cells.append(cell)
        if EXERCISE in tags(cell):
            cells.append(nbformat.v4.new_code_cell("", metadata={"tags": [ANSWER]}))
    students.cells = cells
    students.metadata.setdefault("pcapframe", {})["version"] = "students"
    return students


def problems(teacher, students, name):
    """Why STUDENTS is not a proper students' version of TEACHER (empty when it is)."""
    found = []
    solutions = [c for c in teacher.cells if SOLUTION in tags(c)]
    exercises = [c for c in teacher.cells if EXERCISE in tags(c)]
    if not solutions or len(solutions) < len(exercises):
        found.append(f"{name}: {len(exercises)} exercises but {len(solutions)} solutions")
    solution_texts = {c.source.strip() for c in solutions if c.source.strip()}
    for i, cell in enumerate(students.cells):
        if SOLUTION in tags(cell):
            found.append(f"{name} (students) cell {i}: tagged solution")
        elif cell.source.strip() in solution_texts:
            found.append(f"{name} (students) cell {i}: a solution's text")
        if EXERCISE in tags(cell):
            following = students.cells[i + 1] if i + 1 < len(students.cells) else None
            if following is None or ANSWER not in tags(following) or following.source.strip():
                found.append(f"{name} (students) cell {i}: an exercise without an empty cell after it")
    return found
