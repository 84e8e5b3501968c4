""""Predict, then run" exercises: one per intervention, on the classroom scenario.

Each exercise switches one program on (at its default, evidence-based parameters; the
municipal visits with the iron their visitors hand out) in the classroom scenario, which has
no history and no programs (Huancavelica from 2019: a teaching counterfactual), and compares
it with no programs over 3 replicates (common random numbers, root seed = the classroom
seed). The texts are also in docs/teaching.md; the "why" explains
the model's mechanism, which the numbers the class sees come from.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Iterator

from model.config import validate_scenario
from viz.classroom import classroom_scenario
from viz.runner import run_pair

REPLICATES = 3


@dataclass(frozen=True)
class Exercise:
    """One card: a program to switch on, the outcome to predict, and the explanation."""

    key: str
    interventions: tuple[dict, ...]
    outcome: str  # "stunting" or "anemia"
    title: tuple[str, str]      # (es, en)
    question: tuple[str, str]
    why: tuple[str, str]
    # programs running in both worlds (the program acts through them: a registry finds
    # children for services, the FED pays for their coverage, SMS remind their families)
    reference: tuple[dict, ...] = ()

    def arms(self) -> tuple[list[dict], list[dict]]:
        """The two worlds' programs: the reference's, and those with this program on.

        An entry of the exercise replaces the reference's entry of the same program.
        """
        mine = {entry["type"] for entry in self.interventions}
        reference = [dict(entry) for entry in self.reference]
        return reference, [e for e in reference if e["type"] not in mine] + [
            dict(entry) for entry in self.interventions]


EXERCISES = (
    Exercise(
        "iron", ({"type": "iron"},), "anemia",
        ("Gotas de hierro en el control CRED", "Iron drops at the CRED check-up"),
        ("Si se entregan gotas de hierro desde los 4 meses en los puestos de salud, ¿cuántos "
         "puntos cambia la anemia de 6-35 meses en cinco años?",
         "If iron drops are handed out from 4 months at health posts, by how many points does "
         "anemia at 6-35 months change in five years?"),
        ("Las gotas cierran parte de la brecha de hierro de la dieta, pero solo para los niños "
         "cuyas familias las recogen (asistencia 40%), no sufren desabastecimiento y las dan "
         "(adherencia media 59%, C4f). Entre los niños adherentes el riesgo de anemia cae "
         "cerca de 40% (C4a); en toda la población el efecto es menor. La talla no cambia: el "
         "hierro no mejora el crecimiento lineal (C4a).",
         "Drops close part of the dietary iron gap, but only for children whose families "
         "collect them (40% attendance), avoid stock-outs and give them (mean adherence 59%, "
         "C4f). Among adherent children the risk of anemia falls by about 40% (C4a); over the "
         "whole population the effect is smaller. Height does not change: iron does not "
         "improve linear growth (C4a)."),
    ),
    Exercise(
        "cct", ({"type": "cct"},), "stunting",
        ("Juntos: 200 soles cada dos meses", "Juntos: 200 soles every two months"),
        ("Si Juntos paga a los hogares pobres de los distritos con más de 40% de pobreza, "
         "¿cuántos puntos cambia la desnutrición crónica en cinco años?",
         "If Juntos pays poor households in districts with over 40% poverty, by how many "
         "points does stunting change in five years?"),
        ("La transferencia exige controles CRED, pero asistir sin consejería ni hierro cambia "
         "poco el crecimiento; el efecto de ingreso es pequeño (C1a) y solo alcanza a los "
         "hogares inscritos y pagados. Por eso el cambio es de décimas de punto, y la anemia "
         "no se mueve: Juntos por sí solo no entrega hierro.",
         "The transfer requires CRED check-ups, but attending without counselling or iron "
         "changes growth little; the income effect is small (C1a) and reaches only enrolled, "
         "paid households. Hence a change of tenths of a point, and anemia does not move: "
         "Juntos alone delivers no iron."),
    ),
    Exercise(
        "serums", ({"type": "serums"},), "stunting",
        ("SERUMS: médicos jóvenes en puestos rurales", "SERUMS: young doctors in rural posts"),
        ("Si cada año llegan profesionales SERUMS a los puestos más pobres, ¿cuántos puntos "
         "cambia la desnutrición crónica?",
         "If SERUMS professionals arrive every year at the poorest posts, by how many points "
         "does stunting change?"),
        ("En el modelo el personal adicional solo importa a través de los contactos que da el "
         "puesto: capacidad para controles CRED y su consejería. Sin un programa CRED que "
         "traiga a las familias, la capacidad extra queda sin usar y el efecto es nulo. Pruebe "
         "la pregunta siguiente con CRED: el personal ayuda cuando hay demanda.",
         "In the model extra staff matter only through the contacts a post gives: capacity for "
         "CRED check-ups and their counselling. Without a CRED program bringing families in, "
         "the extra capacity goes unused and the effect is nil. Try the next question with "
         "CRED: staff help when there is demand."),
    ),
    Exercise(
        "cred", ({"type": "cred"},), "stunting",
        ("CRED con consejería en alimentación", "CRED with feeding counselling"),
        ("Si las familias llevan a sus niños a los controles de crecimiento con consejería, "
         "¿cuántos puntos cambia la desnutrición crónica?",
         "If families bring their children to growth check-ups with counselling, by how many "
         "points does stunting change?"),
        ("En el control, parte de las familias adopta una alimentación adecuada (C2a); eso "
         "reduce la caída de talla entre los 6 y 23 meses, la edad en que se produce casi toda "
         "la desnutrición. La capacidad de los puestos limita cuántos niños se ven, y la anemia "
         "también baja porque la alimentación adecuada reduce la brecha de hierro.",
         "At the check-up some families adopt adequate feeding (C2a); that reduces the height "
         "faltering between 6 and 23 months, when almost all stunting arises. Post capacity "
         "limits how many children are seen, and anemia falls too because adequate feeding "
         "narrows the iron gap."),
    ),
    Exercise(
        "home_visits", ({"type": "home_visits"},), "stunting",
        ("Visitas domiciliarias de Cuna Más", "Cuna Más home visits"),
        ("Si visitadoras de Cuna Más visitan cada semana a familias rurales pobres, ¿cuántos "
         "puntos cambia la desnutrición crónica?",
         "If Cuna Más visitors see poor rural families every week, by how many points does "
         "stunting change?"),
        ("La evaluación de Cuna Más encontró mejor desarrollo infantil (+0.1 DE, C3a) pero "
         "ningún efecto en nutrición (C3b); el modelo sigue esa evidencia. Las visitas solo "
         "ayudan a la talla y la anemia de forma indirecta (búsqueda de atención, adherencia "
         "al hierro cuando hay hierro). Un programa puede valer la pena por otros resultados.",
         "The Cuna Más evaluation found better child development (+0.1 SD, C3a) but no effect "
         "on nutrition (C3b); the model follows that evidence. Visits help height and anemia "
         "only indirectly (care seeking, iron adherence when there is iron). A program can be "
         "worth it for other outcomes."),
    ),
    Exercise(
        "municipal_visits", ({"type": "municipal_visits"}, {"type": "iron", "channel": "visits"}),
        "anemia",
        ("Visitadores municipales que llevan el hierro a casa",
         "Municipal visitors bringing iron home"),
        ("Si visitadores municipales van cada semana a los hogares pobres con un niño menor de "
         "un año y les dejan gotas de hierro (que esta vez no se entregan en los puestos), "
         "¿cuántos puntos cambia la anemia de 6-35 meses en cinco años?",
         "If municipal visitors go every week to poor households with a child under one and "
         "leave iron drops there (this time the posts hand out none), by how many points does "
         "anemia at 6-35 months change in five years?"),
        ("Las visitas solo llegan a hogares pobres con un bebé y terminan cuando cumple un año, "
         "así que las gotas alcanzan a menos niños y por menos meses que en el puesto de salud, "
         "que las da hasta los 35 meses. La anemia baja, pero menos que con el hierro en el "
         "control CRED (el primer ejercicio). Sin las gotas la visita sola casi no cambia la "
         "anemia: lo que importa es el suplemento que lleva el visitador.",
         "The visits reach only poor households with a baby and stop when it turns one, so the "
         "drops reach fewer children for fewer months than at the health post, which gives them "
         "up to 35 months. Anemia falls, but less than with iron at the CRED check-up (the first "
         "exercise). Without the drops the visit alone hardly changes anemia: what matters is "
         "the supplement the visitor brings."),
    ),
    Exercise(
        "sis", ({"type": "sis"},), "anemia",
        ("SIS: seguro de salud para los pobres", "SIS: health insurance for the poor"),
        ("Si el SIS asegura a 72% de los niños pobres, ¿cuántos puntos cambia la anemia?",
         "If SIS insures 72% of poor children, by how many points does anemia change?"),
        ("Con seguro, más familias buscan atención cuando el niño enferma; los episodios "
         "tratados pierden menos talla y hemoglobina, y el control prenatal reduce el bajo "
         "peso al nacer (C6d). Son efectos de varios pasos, cada uno parcial: el cambio es "
         "real pero pequeño.",
         "With insurance more families seek care when the child falls ill; treated episodes "
         "lose less height and hemoglobin, and antenatal care lowers low birth weight (C6d). "
         "These are multi-step effects, each partial: the change is real but small."),
    ),
    Exercise(
        "registry", ({"type": "registry", "floor": 1.0},), "anemia",
        ("Un Padrón Nominal completo en cada municipio",
         "A complete child registry in every municipality"),
        ("Juntos, el SIS, el control CRED y el hierro ya funcionan y encuentran a los niños a "
         "través del Padrón Nominal, que hoy deja fuera a muchos. Si cada municipio lo "
         "completa, ¿cuántos puntos cambia la anemia de 6-35 meses en cinco años?",
         "Juntos, SIS, CRED check-ups and iron already run and find children through the "
         "municipal child registry, which today misses many. If every municipality completes "
         "it, by how many points does anemia at 6-35 months change in five years?"),
        ("El padrón no da servicios: decide a quién encuentran los programas. Un niño que no "
         "está en el padrón, o cuyos datos están incompletos, es citado menos al control y "
         "recoge menos gotas de hierro, y su hogar entra más tarde a Juntos y al SIS. Con el "
         "padrón completo esos niños llegan a los servicios, pero los puestos de salud siguen "
         "con la misma capacidad: donde ya están llenos, la demanda nueva se queda sin "
         "atender. Por eso el cambio es real pero moderado. Cada uno de estos vínculos es un "
         "supuesto del modelo (no hay medición en Perú).",
         "The registry gives no services: it decides whom programs find. A child missing from "
         "it, or with an incomplete record, is booked for fewer check-ups and collects fewer "
         "iron drops, and the household joins Juntos and SIS later. With a complete registry "
         "those children reach the services, but the health posts keep their capacity: where "
         "they are full, the new demand goes unserved. So the change is real but moderate. "
         "Each of these links is a model assumption (nothing measures it in Peru)."),
        reference=({"type": "registry"}, {"type": "cct"}, {"type": "sis"}, {"type": "cred"},
                   {"type": "iron"}),
    ),
    Exercise(
        "fed", ({"type": "fed"},), "anemia",
        ("El FED: pagar a los gobiernos regionales por resultados",
         "The FED: paying regional governments for results"),
        ("Con los programas funcionando, el FED ofrece al gobierno regional dinero si cumple "
         "metas de cobertura: niños en el padrón, controles CRED y hierro. ¿Cuántos puntos "
         "cambia la anemia de 6-35 meses en cinco años?",
         "With the programs running, the FED offers the regional government money if it "
         "meets coverage targets: children in the registry, CRED check-ups and iron. By how "
         "many points does anemia at 6-35 months change in five years?"),
        ("El FED no entrega servicios: compra esfuerzo. El gobierno regional pone más empeño "
         "donde las metas pagan, hasta donde su capacidad se lo permite: más horas para "
         "controles, menos desabastecimiento de hierro y más seguimiento del padrón de sus "
         "municipios. Una región con poca capacidad mejora menos con el mismo dinero. El "
         "tamaño de cada efecto es un supuesto del modelo: en la versión para analistas se "
         "corre con sorteos de parámetros para ver cuánto importa.",
         "The FED delivers no services: it buys effort. The regional government tries harder "
         "where targets pay, as far as its capacity allows: more hours for check-ups, fewer "
         "iron stock-outs and more follow-up of its municipalities' registries. A region with "
         "little capacity improves less for the same money. The size of each effect is a model "
         "assumption: analysts run it with parameter draws to see how much that matters."),
        reference=({"type": "registry"}, {"type": "cct"}, {"type": "sis"}, {"type": "cred"},
                   {"type": "iron"}),
    ),
    Exercise(
        "sms", ({"type": "sms"},), "anemia",
        ("Recordatorios por SMS a las familias de Juntos",
         "SMS reminders to Juntos families"),
        ("Si las familias de Juntos con un niño menor de tres años y celular reciben cuatro "
         "mensajes al mes que les recuerdan dar las gotas y llevar al niño a su control, "
         "¿cuántos puntos cambia la anemia de 6-35 meses en cinco años?",
         "If Juntos families with a child under three and a phone get four text messages a "
         "month reminding them to give the drops and take the child to check-ups, by how many "
         "points does anemia at 6-35 months change in five years?"),
        ("Un mensaje no trae gotas ni abre turnos: solo ayuda a quien ya tiene el hierro en "
         "casa a darlo más seguido, y a quien tiene un control pendiente a ir. Llega solo a "
         "las familias del programa que tienen celular. El efecto es pequeño, pero el mensaje "
         "cuesta céntimos. Ni el efecto ni el costo están medidos en Perú: son supuestos con "
         "rangos amplios.",
         "A message brings no drops and opens no appointments: it only helps those who already "
         "have iron at home give it more often, and those with a check-up due to go. It reaches "
         "only the program's families with a phone. The effect is small, but a message costs "
         "cents. Neither effect nor cost is measured in Peru: both are assumptions with wide "
         "ranges."),
        reference=({"type": "cct"}, {"type": "sis"}, {"type": "cred"}, {"type": "iron"}),
    ),
)


# The lesson plan of a 45-minute session: (minutes, what to do in Spanish, in English).
LESSON_PLAN = (
    (5, "Presente la pregunta: ¿por qué en Huancavelica uno de cada tres niños tiene "
        "desnutrición crónica y en Tacna casi ninguno? Abra la pestaña de decisores: el mapa "
        "de «hoy» y la historia 2000-2019 frente a la ENDES muestran que el modelo reproduce "
        "el Perú antes de responder nada.",
        "Pose the question: why is one child in three stunted in Huancavelica and almost none "
        "in Tacna? Open the policymakers' tab: the map of 'today' and the 2000-2019 history "
        "against ENDES show the model reproduces Peru before it answers anything."),
    (10, "Aula, mundo A sin programas: reproduzca doce meses y haga clic en un niño. Lea su "
         "curva de talla (HAZ) y hemoglobina frente a las líneas de −2 DE y de anemia. "
         "Pregunte: ¿qué le falta a esta familia?",
         "Classroom, world A with no programs: play twelve months and click a child. Read its "
         "height (HAZ) and hemoglobin curves against the −2 SD and anemia lines. Ask: what "
         "does this family lack?"),
    (10, "Active «Comparar dos mundos»: mundo A con el paquete completo, mundo B sin "
         "programas. Reinicie y reproduzca: las líneas punteadas son el mundo B. La anemia "
         "se separa en meses; la talla casi no se mueve. Discuta por qué (la talla se fija en "
         "los dos primeros años y la evidencia sobre crecimiento es débil).",
         "Switch on 'Compare two worlds': world A with the full package, world B with none. "
         "Reset and play: the dashed lines are world B. Anemia separates within months; "
         "stunting barely moves. Discuss why (height is set in the first two years and the "
         "evidence on growth is weak)."),
    (15, "Predecir y simular: en grupos, escriban una predicción para dos o tres tarjetas "
         "(sugerencia: hierro, SERUMS y luego CRED). La tabla de la clase guarda cada "
         "predicción con su resultado. El SERUMS solo da exactamente 0: es la lección (personal "
         "sin demanda no cambia nada en el modelo).",
         "Predict, then run: in groups, write a prediction for two or three cards "
         "(suggestion: iron, SERUMS, then CRED). The class table keeps each prediction with "
         "its result. SERUMS alone gives exactly 0: that is the lesson (staff without demand "
         "change nothing in the model)."),
    (5, "Cierre: ¿qué supuestos del modelo cambiarían la respuesta? Los intervalos del aula "
        "miden el azar, no la incertidumbre de la evidencia (vea docs/uncertainty.md). Tarea: "
        "repetir una tarjeta en otro departamento.",
        "Close: which of the model's assumptions would change the answer? The classroom's "
        "intervals measure chance, not the uncertainty of the evidence (see "
        "docs/uncertainty.md). Homework: repeat a card in another department."),
)


def teacher_notes_html(lang: str) -> str:
    """The lesson plan as an HTML list in ``lang`` ("es" or "en")."""
    import html

    column = 1 if lang == "es" else 2
    unit = "min"
    items = "".join(f"<li><b>{step[0]} {unit}.</b> {html.escape(step[column])}</li>"
                    for step in LESSON_PLAN)
    return f"<ol style='padding-left:20px;margin:4px 0'>{items}</ol>"


def teacher_notes_markdown() -> str:
    """The lesson plan for docs/teaching.md (English, then Spanish)."""
    english = "\n".join(f"{n}. **{m} min.** {en}" for n, (m, _, en) in
                        enumerate(LESSON_PLAN, 1))
    spanish = "\n".join(f"{n}. **{m} min.** {es}" for n, (m, es, _) in
                        enumerate(LESSON_PLAN, 1))
    return (f"## A 45-minute session (teacher notes)\n\nThe same notes are in the Classroom "
            f"tab, under *Notas para el docente*.\n\n{english}\n\n*En castellano:*\n\n"
            f"{spanish}\n\n")


def exercise(key: str) -> Exercise:
    """The exercise named ``key``."""
    for item in EXERCISES:
        if item.key == key:
            return item
    raise KeyError(f"exercise {key!r}: allowed {', '.join(e.key for e in EXERCISES)}")


def run_exercise(item: Exercise, on_progress: Callable[[float], None] | None = None) -> dict:
    """Run the exercise: the policy's effect on its outcome at the end of the horizon.

    Returns ``{"diff", "low", "high", "baseline", "policy"}`` (percentage points and %,
    medians and the 90% interval over replicates).
    """
    base = classroom_scenario("none").model_dump(mode="json")
    with_reference, with_program = item.arms()
    reference = validate_scenario({**base, "name": "baseline", "interventions": with_reference},
                                  source="exercise")
    policy = validate_scenario({**base, "name": "policy", "interventions": with_program},
                               source="exercise")
    *_, last = run_pair(reference, policy, REPLICATES, reference.seed,
                        on_progress=on_progress)
    summary = last.summary
    rows = summary[(summary["group"] == "national") & (summary["outcome"] == item.outcome)]
    policy_row = rows[rows["scenario"] == "policy"].iloc[0]
    return {"diff": policy_row["diff_median"], "low": policy_row["diff_p5"],
            "high": policy_row["diff_p95"], "policy": policy_row["median"],
            "baseline": rows[rows["scenario"] == "baseline"].iloc[0]["median"]}


def exercise_job(key: str, on_progress: Callable[[float], None] | None = None,
                 should_stop: Callable[[], bool] | None = None,
                 on_stage: Callable[[str, int], None] | None = None) -> Iterator[dict]:
    """The job a worker runs for the page (``viz.jobs``): yields ``run_exercise``'s dict.

    An exercise runs to its end once started (``should_stop`` and ``on_stage`` are unused).
    """
    yield run_exercise(exercise(key), on_progress)


def teaching_sections(measured: str) -> str:
    """The exercise sections of docs/teaching.md, each with the numbers it gives now."""
    from viz.classroom import classroom_scenario
    from viz.i18n import tr

    seed = classroom_scenario("none").seed
    parts = []
    for n, item in enumerate(EXERCISES, 1):
        r = run_exercise(item)
        lever = ", ".join(f"`{dict(i)}`" for i in item.interventions)
        both = ", ".join(f"`{dict(i)}`" for i in item.reference)
        world = f" Both worlds run {both}." if both else ""
        parts.append(
            f"### {n}. {item.title[1]} / {item.title[0]}\n\n"
            f"**Lever:** {lever} switched on.{world} **Outcome:** "
            f"{tr(item.outcome + '_long', 'en')}.\n\n"
            f"**Question.** {item.question[1]}\n\n*Pregunta.* {item.question[0]}\n\n"
            f"**What the model gives** (measured {measured}, seed {seed}, {REPLICATES} "
            f"replicates): {r['baseline']:.1f}% without it, {r['policy']:.1f}% with it, "
            f"a change of {r['diff']:+.2f} pp (90% interval {r['low']:+.2f} to "
            f"{r['high']:+.2f}).\n\n**Why.** {item.why[1]}\n\n*Por qué.* {item.why[0]}\n")
    return "\n".join(parts)


def main() -> None:
    """Rewrite the exercises of docs/teaching.md with today's numbers.

    Run as ``python -m viz.exercises`` (about half a minute) after the model changes: the
    text between the first exercise heading and "## Ideas for discussion" is replaced.
    """
    import datetime
    from pathlib import Path

    doc = Path(__file__).resolve().parent.parent / "docs" / "teaching.md"
    text = doc.read_text()
    head, tail = text[:text.index("### 1. ")], text[text.index("## Ideas for discussion"):]
    doc.write_text(head + teaching_sections(datetime.date.today().isoformat()) + "\n" + tail)
    write_teacher_notes(doc)


def write_teacher_notes(doc) -> None:
    """Put the lesson plan (``LESSON_PLAN``) in ``doc`` before "## Running the live model"."""
    text = doc.read_text()
    start = "## A 45-minute session (teacher notes)"
    end = "## Running the live model"
    if start in text:
        text = text[:text.index(start)] + text[text.index(end):]
    doc.write_text(text.replace(end, teacher_notes_markdown() + end, 1))


if __name__ == "__main__":
    main()
