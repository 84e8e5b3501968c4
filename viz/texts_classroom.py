"""The classroom view's texts: the live model, the network, agents' stories, the exercises.

Each key maps to its text in Spanish and in English; ``viz.i18n`` looks them up.
"""

CLASSROOM_TEXTS: dict[str, tuple[str, str]] = {
    # classroom
    "classroom_intro": ("{department}, 1 niño simulado por cada {scale:g} reales. Avance mes a "
                        "mes y observe a las familias.",
                        "{department}, 1 simulated child per {scale:g} real children. Move "
                        "month by month and watch the families."),
    "juntos_not_enrolled": ("no afiliado", "not enrolled"),
    "juntos_enrolled": ("afiliado", "enrolled"),
    "juntos_suspended": ("suspendido", "suspended"),
    "stunting_line": ("−2 DE: desnutrición crónica", "−2 SD: stunted"),
    "anemia_line": ("umbral de anemia (ajustado por altitud)",
                    "anemia threshold (altitude-adjusted)"),
    "classroom_department": ("Departamento del aula", "Department of the class"),
    "world_a": ("Mundo A", "World A"),
    "world_b": ("Mundo B", "World B"),
    "programs_world": ("Programas del {world}", "Programs of {world}"),
    "two_worlds": ("Comparar dos mundos lado a lado", "Compare two worlds side by side"),
    "two_worlds_note": ("Los dos mundos tienen los mismos niños y el mismo azar (misma "
                        "semilla); solo cambian los programas. La red muestra el mundo A.",
                        "Both worlds have the same children and the same chance (same seed); "
                        "only the programs differ. The network shows world A."),
    "two_worlds_lines": ("Línea continua: mundo A; punteada: mundo B.",
                         "Solid line: world A; dashed: world B."),
    "live_all": ("todos", "all"),
    "live_clear": ("ninguno", "none"),
    "play": ("Reproducir", "Play"),
    "pause": ("Pausa", "Pause"),
    "step": ("Un mes", "One month"),
    "reset": ("Reiniciar", "Reset"),
    "pace": ("Meses por segundo", "Months per second"),
    "month_now": ("Mes {step} de {months}: {date}", "Month {step} of {months}: {date}"),
    "finished": ("Fin del horizonte.", "End of the horizon."),
    "province": ("Provincia", "Province"),
    "network": ("Red de la provincia", "Province network"),
    "network_hint": ("Distritos, puestos de salud, visitadoras, hogares y niños. Haga clic en "
                     "un agente para ver su historia.",
                     "Districts, health posts, visitors, households and children. Click an "
                     "agent to see its story."),
    "node_district": ("Distrito", "District"),
    "node_municipality": ("Municipalidad", "Municipality"),
    "node_municipality_paid": ("Municipalidad que cobró un incentivo",
                               "Municipality paid an incentive"),
    "node_region": ("Gobierno regional", "Regional government"),
    "node_post": ("Puesto de salud", "Health post"),
    "node_post_empty": ("Puesto sin personal", "Post without staff"),
    "node_visitor": ("Visitadora", "Home visitor"),
    "node_household": ("Hogar", "Household"),
    "node_household_juntos": ("Hogar con Juntos", "Household in Juntos"),
    "node_child": ("Niño", "Child"),
    "node_child_ok": ("Niño sin desnutrición ni anemia", "Child, not stunted or anemic"),
    "node_child_stunted": ("Niño con desnutrición crónica", "Stunted child"),
    "node_child_anemic": ("Niño con anemia", "Anemic child"),
    "story": ("Historia", "Story"),
    "story_pick": ("Haga clic en un agente de la red.", "Click an agent in the network."),
    "story_gone": ("Este niño cumplió 5 años y salió del modelo.",
                   "This child turned 5 and left the model."),
    "haz": ("Talla para la edad (z)", "Height-for-age (z)"),
    "hb": ("Hemoglobina (g/dL)", "Hemoglobin (g/dL)"),
    "events": ("Recibió: {visits} visitas, {transfers} pagos de Juntos, {cred} controles CRED; "
               "meses con hierro: {iron}.",
               "Received: {visits} home visits, {transfers} Juntos payments, {cred} CRED "
               "check-ups; months with iron: {iron}."),
    "post_staffing": ("Su puesto de salud: {staff} trabajadores de planta, {serums} SERUMS "
                      "este mes.",
                      "Its health post: {staff} permanent workers, {serums} SERUMS this month."),
    "age": ("Edad: {age} meses", "Age: {age} months"),
    "household_facts": ("{area}, {poor}, quintil {q}, {km:.1f} km al puesto, Juntos: {juntos}, "
                        "SIS: {sis}",
                        "{area}, {poor}, quintile {q}, {km:.1f} km to the post, Juntos: "
                        "{juntos}, SIS: {sis}"),
    "poor": ("pobre", "poor"),
    "not_poor": ("no pobre", "not poor"),
    "yes": ("sí", "yes"),
    "no": ("no", "no"),
    "post_facts": ("{staff} trabajadores de planta, {serums} SERUMS, {households} hogares "
                   "simulados, {contacts:.0f} controles este mes (capacidad {capacity:.0f})",
                   "{staff} permanent workers, {serums} SERUMS, {households} simulated "
                   "households, {contacts:.0f} check-ups this month (capacity "
                   "{capacity:.0f})"),
    "visitor_facts": ("{families} familias, {months} meses en el puesto, estipendio S/ "
                      "{stipend:.0f}",
                      "{families} families, {months} months in post, stipend {stipend:.0f} "
                      "soles"),
    "border_facts": ("{a} y {b} comparten {km:.0f} km de límite",
                     "{a} and {b} share {km:.0f} km of border"),
    "district_facts": ("altitud {altitude:.0f} m, pobreza {poverty:.0f}%",
                       "altitude {altitude:.0f} m, poverty {poverty:.0f}%"),
    "municipality_facts": ("padrón completo {registry:.0f}%, capacidad {capacity:.0f}%, "
                           "esfuerzo en padrón {effort_registry:.0f}% y en visitas "
                           "{effort_visits:.0f}%",
                           "registry complete {registry:.0f}%, capacity {capacity:.0f}%, "
                           "effort on the registry {effort_registry:.0f}% and on visits "
                           "{effort_visits:.0f}%"),
    "municipality_targets": ("Metas que pagan (soles por niño al año): padrón {registry:.0f}, "
                             "visitas {visits:.0f}.",
                             "Targets that pay (soles per child a year): registry "
                             "{registry:.0f}, visits {visits:.0f}."),
    "municipality_paid": ("Cobró en la última evaluación: padrón {registry}, visitas {visits}; "
                          "Sello Municipal: {sello}. Incentivos cobrados: S/ {payments:,.0f}.",
                          "Paid at the last evaluation: registry {registry}, visits "
                          "{visits}; Sello Municipal: {sello}. Incentives earned so far: "
                          "{payments:,.0f} soles."),
    "municipality_registry": ("Padrón Nominal: {registration:.0f}% de sus niños inscritos, "
                              "{data:.0f}% de ellos con datos completos.",
                              "Child registry: {registration:.0f}% of its children "
                              "registered, {data:.0f}% of them with complete data."),
    "municipality_visits": ("Visitas municipales: {points:.0f} puntos en la última evaluación.",
                            "Municipal visits: {points:.0f} points at the last evaluation."),
    "region_facts": ("capacidad {capacity:.0f}%, esfuerzo en las metas del FED {effort:.0f}%, "
                     "metas cumplidas {met} de 3, FED cobrado S/ {payments:,.0f}",
                     "capacity {capacity:.0f}%, effort on the FED targets {effort:.0f}%, "
                     "targets met {met} of 3, FED earned {payments:,.0f} soles"),
    # exercises
    "exercises": ("Predecir y luego simular", "Predict, then run"),
    "exercise_intro": ("Elija un ejercicio, escriba la predicción de la clase y simule cinco "
                       "años en Huancavelica (3 réplicas).",
                       "Pick an exercise, write the class's prediction and simulate five "
                       "years in Huancavelica (3 replicates)."),
    "prediction": ("Predicción de la clase: cambio en {outcome} (p.p.)",
                   "Class prediction: change in {outcome} (pp)"),
    "run_exercise": ("Simular el ejercicio", "Run the exercise"),
    "exercise_result": ("Resultado: {outcome} pasa de {baseline}% sin el programa a {policy}% "
                        "con él, un cambio de {diff} p.p. (intervalo 90% entre paréntesis); la "
                        "clase predijo {prediction} p.p.",
                        "Result: {outcome} goes from {baseline}% without the program to "
                        "{policy}% with it, a change of {diff} pp (90% interval in brackets); "
                        "the class predicted {prediction} pp."),
    "exercise_zero": ("El programa no cambia nada en este mundo: el intervalo es exactamente "
                      "0. No es un error del modelo; lea por qué.",
                      "The program changes nothing in this world: the interval is exactly 0. "
                      "This is not a bug; read why."),
    "class_table": ("Predicciones de la clase y resultados", "The class's predictions and results"),
    "exercise": ("Ejercicio", "Exercise"),
    "class_predicted": ("Predicción (p.p.)", "Prediction (pp)"),
    "without": ("Sin el programa", "Without"),
    "with": ("Con el programa", "With"),
    "class_table_clear": ("Borrar la tabla", "Clear the table"),
    "teacher_notes": ("Notas para el docente: una sesión de 45 minutos",
                      "Teacher notes: a 45-minute session"),
    "why": ("Por qué", "Why"),
}
