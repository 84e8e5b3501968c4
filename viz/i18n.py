"""Every text of the dashboard in Spanish and English.

``tr(key, lang, **values)`` returns the text in ``lang`` ("es" or "en") with ``values``
formatted in. A missing key is a programming error (KeyError), caught by the tests, which
check that every key has both languages.
"""

from __future__ import annotations

LANGUAGES = ("es", "en")

TEXT: dict[str, tuple[str, str]] = {
    # page
    "title": ("Simulador de primera infancia del Perú", "Peru early-childhood simulator"),
    "tab_policy": ("Decisores de política", "Policymakers"),
    "tab_classroom": ("Aula", "Classroom"),
    "language": ("Idioma", "Language"),
    # levers
    "scenario": ("Escenario de partida", "Starting scenario"),
    "reference": ("Comparar con", "Compare with"),
    "ref_baseline": ("Situación actual", "Status quo"),
    "ref_no_programs": ("Sin programas (contrafactual)", "No programs (counterfactual)"),
    "levers_intro": ("Los controles parten de la situación actual: cada programa tal como lo "
                     "deja la historia 2000-2019, a sus niveles de 2019, con los cambios del "
                     "archivo elegido. Mover un control cambia ese programa desde enero de "
                     "2020; apagar un programa lo termina en diciembre de 2019.",
                     "The levers start at the status quo: each program as the 2000-2019 "
                     "history leaves it, at its 2019 level, with the chosen file's changes. "
                     "Moving a lever changes that program from January 2020; switching a "
                     "program off ends it in December 2019."),
    "reference_note_baseline": ("Referencia: la situación actual, con la misma región, "
                                "horizonte y azar.",
                                "Reference: the status quo, with the same region, horizon and "
                                "chance."),
    "reference_note_no_programs": ("Referencia: un contrafactual en el que todos los programas "
                                   "terminan en diciembre de 2019. "
                                   "No es una política: muestra lo que aportan los programas.",
                                   "Reference: a counterfactual in which every program ends in "
                                   "December 2019. Not a policy: "
                                   "it shows what the programs contribute."),
    "region": ("Región", "Region"),
    "all_peru": ("Todo el Perú", "All Peru"),
    "years": ("Horizonte (años)", "Horizon (years)"),
    "runs": ("Simulaciones", "Runs"),
    "chance_only": ("Solo el azar (sin incertidumbre de parámetros)",
                    "Chance alone (no parameter uncertainty)"),
    "runs_note_draws": ("Cada simulación toma otro juego de parámetros plausibles y vive su "
                        "propia historia 2000-2019: los intervalos incluyen lo que no se sabe "
                        "con certeza y el azar.",
                        "Each run takes another set of plausible parameters and lives its own "
                        "2000-2019 history: the intervals include what is not known for sure "
                        "and chance."),
    "runs_note_chance": ("Cada simulación usa los parámetros por defecto con otra semilla: los "
                         "intervalos muestran solo el azar y son más estrechos de lo que se "
                         "sabe en realidad.",
                         "Each run uses the default parameters with another seed: the "
                         "intervals show chance alone and are narrower than what is really "
                         "known."),
    "precision_note": ("La precisión cambia el ancho de los intervalos, no el resultado.",
                       "Precision changes the width of the intervals, not the answer."),
    "seed": ("Semilla", "Seed"),
    "precision": ("Precisión", "Precision"),
    "precision_fast": ("rápida", "fast"),
    "precision_standard": ("estándar", "standard"),
    "precision_fine": ("fina", "fine"),
    "scale_note": ("1 niño simulado = {scale:g} niños reales; tiempo estimado {seconds} s, "
                   "que incluye simular la historia 2000-2019 (unos {history} s por "
                   "simulación)",
                   "1 simulated child = {scale:g} real children; estimated time {seconds} s, "
                   "including simulating the 2000-2019 history (about {history} s a run)"),
    "scale_note_saved": ("1 niño simulado = {scale:g} niños reales; tiempo estimado {seconds} s "
                         "(la historia 2000-2019 de {saved} de las simulaciones ya está "
                         "guardada en este servidor y se reutiliza)",
                         "1 simulated child = {scale:g} real children; estimated time {seconds} "
                         "s (the 2000-2019 history of {saved} of the runs is already saved on "
                         "this server: it is reused)"),
    "programs": ("Programas", "Programs"),
    "scen_baseline": ("Situación actual (sin cambios)", "Status quo (no changes)"),
    "scen_package": ("Paquete: seis cambios a la vez", "Package: six changes at once"),
    "scen_cct": ("Juntos en todo distrito con 20% de pobreza o más",
                 "Juntos in every district with 20% poverty or more"),
    "scen_sis": ("SIS para el 95% de los hogares pobres", "SIS for 95% of poor households"),
    "scen_serums": ("SERUMS duplicado", "SERUMS doubled"),
    "scen_home_visits": ("Cuna Más a 270,000 familias", "Cuna Más for 270,000 families"),
    "scen_iron": ("Hierro: adherencia 75% y pocos desabastecimientos",
                  "Iron: 75% adherence and few stock-outs"),
    "scen_cred": ("CRED reforzado (asistencia 50%)", "Stronger CRED (50% attendance)"),
    "scen_cuna_mas_1m": ("Cuna Más a un millón de familias", "Cuna Más for a million families"),
    "scen_registry_complete": ("Padrón Nominal completo en cada municipio",
                               "Every municipality's child registry complete"),
    "scen_fed_off": ("Sin el FED (fin de los convenios con los gobiernos regionales)",
                     "No FED (agreements with regional governments ended)"),
    "scen_fed_stronger": ("FED con el doble de presupuesto y metas más altas",
                          "FED with double the budget and higher targets"),
    "scen_municipal_visits_all": ("Visitas municipales contra la anemia en todos los municipios",
                                  "Municipal anemia visits in every municipality"),
    "scen_sms": ("Recordatorios por SMS (Juntos y visitas)",
                 "SMS reminders (Juntos and home visits)"),
    "scen_no_programs": ("Sin programas (contrafactual)", "No programs (counterfactual)"),
    "advanced": ("Opciones avanzadas", "Advanced options"),
    "quick_result": ("Resultado en {date} (cambio por la política; detalle a la derecha):",
                     "Result in {date} (change by the policy; details on the right):"),
    "seed_note": ("La semilla fija el azar: la misma semilla da los mismos resultados.",
                  "The seed fixes chance: the same seed gives the same results."),
    "levers_top": ("Elija escenario y región y haga clic en «Simular»; los controles de "
                   "cada programa están más abajo.",
                   "Choose a scenario and a region and press Run; each program's levers are "
                   "further down."),
    "run": ("Simular", "Run"),
    "stop": ("Detener", "Stop"),
    "running": ("Simulando… {percent}%", "Simulating… {percent}%"),
    "queued": ("En cola: su simulación es la {place}.ª de la fila. Empezará apenas termine "
               "una de las que están en curso (este servidor procesa {slots} a la vez para "
               "que la página siga respondiendo a todos).",
               "Queued: your simulation is number {place} in line. It starts as soon as one "
               "of the running simulations finishes (this server runs {slots} at a time so "
               "that the page keeps answering everyone)."),
    "today_queued": ("En cola para simular la historia: {place}.º lugar en la fila.",
                     "Queued to simulate the history: number {place} in line."),
    "stage_history": ("Simulación {r} de {n}: el modelo simula la historia 2000-2019 (sin "
                      "registrarla)…",
                      "Run {r} of {n}: the model simulates the 2000-2019 history "
                      "(unrecorded)…"),
    "stage_months": ("Simulación {r} de {n}: simulando la referencia y la política…",
                     "Run {r} of {n}: simulating the reference and the policy…"),
    "stopped": ("Detenido: se muestran {done} de {total} simulaciones terminadas.",
                "Stopped: showing {done} of {total} finished runs."),
    "failed": ("La simulación falló: {error}", "The simulation failed: {error}"),
    "not_run": ("Mueva los controles y haga clic en «Simular» para comparar la política con "
                "la referencia.",
                "Move the levers and press Run to compare the policy with the reference."),
    "stale": ("Los controles cambiaron desde esta simulación; haga clic en «Simular» para "
              "actualizarla.",
              "The levers changed since this run; press Run to update."),
    "too_slow": ("Demasiado grande: unos {seconds} s (límite {limit} s). Reduzca las "
                 "simulaciones, el horizonte o la precisión, elija un departamento, o use "
                 "«python run.py compare» con los archivos de abajo.",
                 "Too large: about {seconds} s (limit {limit} s). Reduce runs, horizon or "
                 "precision, pick a department, or use `python run.py compare` with the "
                 "files below."),
    "no_programs": ("Ningún programa activado: la política es igual a la referencia sin "
                    "programas.",
                    "No program is switched on: the policy equals the no-programs reference."),
    "no_change": ("No se movió ningún control: la política es igual a la situación actual.",
                  "No lever has moved: the policy equals the status quo."),
    "cct_no_district": ("Ningún distrito de la región tiene pobreza ≥ {threshold}%: Juntos no "
                        "inscribirá a nadie.",
                        "No district of the region has poverty ≥ {threshold}%: Juntos will "
                        "enrol nobody."),
    "iron_needs_visits": ("Hierro por visitas sin visitas domiciliarias: nadie lo recibirá.",
                          "Iron through visits without home visits: nobody will receive it."),
    "note_rollout_kept": ("Hoy Juntos llega a los {districts} distritos más pobres (la lista "
                          "de la expansión 2005-2010); el control muestra la pobreza del "
                          "último de ellos. Si lo mueve, esa lista se reemplaza por «distritos "
                          "con pobreza mayor que el umbral».",
                          "Today Juntos reaches the {districts} poorest districts (the "
                          "2005-2010 expansion list); the lever shows the poverty of the last "
                          "of them. Moving it replaces that list with 'districts with poverty "
                          "above the threshold'."),
    "note_rollout_replaced": ("Este umbral reemplaza la lista de los {districts} distritos de "
                              "la expansión 2005-2010.",
                              "This threshold replaces the list of the {districts} districts "
                              "of the 2005-2010 expansion."),
    "note_schedule_kept": ("Hoy: {families} familias, según el calendario de crecimiento de "
                           "Cuna Más (2012-2019). Si lo mueve, ese calendario se reemplaza "
                           "por un número fijo desde enero de 2020.",
                           "Today: {families} families, from Cuna Más' growth schedule "
                           "(2012-2019). Moving it replaces that schedule with a fixed number "
                           "from January 2020."),
    "note_schedule_replaced": ("Este número reemplaza el calendario de Cuna Más ({families} "
                               "familias en 2019) desde enero de 2020.",
                               "This number replaces Cuna Más' schedule ({families} families "
                               "in 2019) from January 2020."),
    "reproduce": ("Reproducir en la línea de comandos", "Reproduce on the command line"),
    # programs and their levers
    "prog_cct": ("Juntos (transferencia condicionada)", "Juntos (conditional cash transfer)"),
    "prog_sis": ("SIS (seguro de salud)", "SIS (health insurance)"),
    "prog_serums": ("SERUMS (personal rural)", "SERUMS (rural staffing)"),
    "prog_home_visits": ("Visitas domiciliarias (Cuna Más)", "Home visits (Cuna Más)"),
    "prog_municipal_visits": ("Visitas municipales contra la anemia",
                              "Municipal anemia home visits"),
    "prog_iron": ("Suplemento de hierro", "Iron supplementation"),
    "prog_cred": ("CRED (control de crecimiento)", "CRED (growth monitoring)"),
    "cct.district_poverty_threshold": ("Distritos con pobreza desde (%)",
                                       "Districts with poverty from (%)"),
    "cct.transfer_soles": ("Transferencia (soles cada 2 meses)", "Transfer (soles every 2 months)"),
    "sis.coverage_poor": ("Cobertura de pobres (%)", "Coverage of the poor (%)"),
    "sis.coverage_nonpoor": ("Cobertura de no pobres (%)", "Coverage of the non-poor (%)"),
    "serums.placements_per_year": ("Plazas por año (nacional)", "Placements per year (national)"),
    "serums.rule": ("Regla de asignación", "Allocation rule"),
    "serums.rule.poverty_map": ("más pobres primero", "poorest first"),
    "serums.rule.older": ("sin focalizar (anterior)", "untargeted (older rule)"),
    "home_visits.families": ("Familias visitadas (nacional)", "Families visited (national)"),
    "home_visits.caseload": ("Familias por visitadora", "Families per visitor"),
    "home_visits.stipend": ("Estipendio (soles/mes)", "Stipend (soles/month)"),
    "municipal_visits.max_districts": ("Municipios participantes (nacional)",
                                       "Municipalities taking part (national)"),
    "municipal_visits.max_child_age_months": ("Hogares con un niño menor de (meses)",
                                              "Households with a child under (months)"),
    "iron.start_age_months": ("Edad de inicio (meses)", "Start age (months)"),
    "iron.adherence_mean": ("Adherencia media (%)", "Mean adherence (%)"),
    "iron.channel": ("Entrega", "Delivery"),
    "iron.channel.cred": ("en el control CRED", "at CRED"),
    "iron.channel.visits": ("por visitadoras", "by visitors"),
    "iron.channel.both": ("ambos", "both"),
    "cred.attendance": ("Asistencia a controles (%)", "Check-up attendance (%)"),
    "prog_registry": ("Padrón Nominal (registro municipal de niños)",
                      "Padrón Nominal (municipal child registry)"),
    "registry.floor": ("Padrón completo en cada municipio, al menos (%)",
                       "Registry complete in every municipality, at least (%)"),
    "prog_fed": ("FED (incentivos a los gobiernos regionales)",
                 "FED (incentives to regional governments)"),
    "fed.cred_target": ("Meta: menores de un año con control CRED (%)",
                        "Target: children under one with a CRED check-up (%)"),
    "fed.iron_target": ("Meta: niños de 4 a 11 meses que toman hierro (%)",
                        "Target: children 4-11 months taking iron (%)"),
    "prog_sello": ("Sello Municipal (premio a los municipios)",
                   "Sello Municipal (award to municipalities)"),
    "prog_sms": ("Recordatorios por SMS (Juntos y visitas)",
                 "SMS reminders (Juntos and home visits)"),
    "sms.phone_share": ("Familias con celular que reciben SMS (%)",
                        "Families with a phone that receive SMS (%)"),
    "municipal_visits.incentive_soles_per_child": ("Incentivo por puntos (soles por niño al año)",
                                                   "Points incentive (soles per child a year)"),
    # outcomes
    "stunting": ("Desnutrición crónica", "Stunting"),
    "anemia": ("Anemia", "Anemia"),
    "stunting_long": ("Desnutrición crónica, 0-59 meses (%)", "Stunting, children 0-59 months (%)"),
    "anemia_long": ("Anemia, 6-35 meses (%)", "Anemia, children 6-35 months (%)"),
    "policy": ("Política", "Policy"),
    "band": ("intervalo 90%", "90% interval"),
    "date": ("Fecha", "Date"),
    "prevalence": ("Prevalencia (%)", "Prevalence (%)"),
    "prevalence_band": ("Prevalencia (%): mediana e intervalo 90%",
                        "Prevalence (%): median and 90% interval"),
    "pp": ("p.p.", "pp"),
    "change_pp": ("Cambio (p.p.)", "Change (pp)"),
    # headline
    "headline": ("Al final del horizonte ({date}), mediana e intervalo de 90% de {n} "
                 "simulaciones",
                 "At the end of the horizon ({date}), median and 90% interval of {n} runs"),
    "interval_title_draws": ("Intervalo de 90%: el 90% de los modelos plausibles y del azar",
                             "90% interval: 90% of plausible models and chance"),
    "interval_text_draws": ("Cada simulación toma valores plausibles de lo que no se sabe con "
                            "certeza, según la evidencia (por ejemplo, cuánto reduce la anemia "
                            "el hierro) y la calibración del modelo con las encuestas, y suma "
                            "el azar de una simulación a otra. No incluye el error de muestreo "
                            "de las encuestas ni lo que la estructura del modelo deja fuera.",
                            "Each run takes plausible values for what is not known for sure, "
                            "from the evidence (for example, how much iron lowers anemia) and "
                            "the model's calibration to the surveys, plus run-to-run chance. "
                            "It does not include the surveys' sampling error or what the "
                            "model's structure leaves out."),
    "interval_title_chance": ("Intervalo de 90%: solo el azar", "90% interval: chance alone"),
    "interval_text_chance": ("Todas las simulaciones usan los parámetros por defecto y solo "
                             "difieren por azar: el intervalo no incluye la incertidumbre de "
                             "la evidencia ni de la calibración, y es más estrecho de lo que "
                             "se sabe en realidad.",
                             "Every run uses the default parameters and they differ only by "
                             "chance: the interval leaves out the uncertainty of the evidence "
                             "and of the calibration, and is narrower than what is really "
                             "known."),
    "interval_short_draws": ("intervalo 90%: modelos plausibles y azar",
                             "90% interval: plausible models and chance"),
    "interval_short_chance": ("intervalo 90%: solo azar", "90% interval: chance alone"),
    "difference": ("Diferencia", "Difference"),
    "cases_averted": ("Años-niño evitados", "Child-years averted"),
    "cost": ("Costo adicional acumulado (millones S/)",
             "Added cumulative cost (million soles)"),
    "cost_per_case": ("S/ por año-niño evitado", "Soles per child-year averted"),
    "not_applicable": ("no aplica (no evita años-niño)", "n/a (no child-years averted)"),
    # map
    "map": ("Mapa", "Map"),
    "map_metric": ("Indicador", "Indicator"),
    "map_show": ("Mostrar", "Show"),
    "map_level_policy": ("nivel con la política", "level with the policy"),
    "map_level_reference": ("nivel sin la política: {reference}",
                            "level without the policy: {reference}"),
    "map_change": ("cambio por la política (p.p.)", "change due to the policy (pp)"),
    "map_date": ("Fecha del mapa", "Map date"),
    "map_level": ("Nivel", "Level"),
    "map_by_district": ("por distrito", "by district"),
    "map_by_province": ("por provincia", "by province"),
    "map_by_department": ("por departamento", "by department"),
    "map_no_children": ("sin niños simulados", "no simulated children"),
    "map_simulated": ("{n} niños simulados", "{n} simulated children"),
    "map_few": ("(pocos: cifra muy incierta; vea la provincia o el departamento)",
                "(few: a very uncertain figure; see the province or department)"),
    "map_hint": ("Pase el cursor por el mapa para ver nombres y valores (medianas de las "
                 "simulaciones). Con todo el Perú cada distrito tiene pocos niños simulados: el "
                 "mapa muestra provincias; elija un departamento o la precisión fina para ver "
                 "distritos.",
                 "Hover over the map for names and values (medians over runs). With all "
                 "Peru each district has few simulated children: the map shows provinces; pick "
                 "a department or fine precision to see districts."),
    "map_median": ("Valores: medianas de las simulaciones.", "Values: medians over runs."),
    # Peru today
    "today_title": ("{region} hoy (situación actual, fin de 2019)",
                    "{region} today (status quo, end of 2019)"),
    "today_peru": ("Perú", "Peru"),
    "today_intro": ("El modelo simuló los años 2000-2019 con las tendencias y los programas "
                    "de ese periodo (scenarios/peru_2000_2019.yaml); así queda {region} a fines "
                    "de 2019, el punto de partida de toda política. Es una sola corrida con "
                    "precisión rápida (1 niño simulado = {scale:g} niños reales, semilla "
                    "{seed}): las diferencias pequeñas entre {areas} son ruido.",
                    "The model simulated 2000-2019 with the trends and programs of those years "
                    "(scenarios/peru_2000_2019.yaml); this is how it leaves {region} at the "
                    "end of 2019, the starting point of every policy. One run at the fast "
                    "precision (1 simulated child = {scale:g} real children, seed {seed}): "
                    "small differences between {areas} are noise."),
    "areas_department": ("departamentos", "departments"),
    "areas_district": ("distritos", "districts"),
    "today_levels": ("A fines de 2019, según el modelo: desnutrición crónica {stunting:.1f}%, "
                     "anemia {anemia:.1f}%.",
                     "At the end of 2019, in the model: stunting {stunting:.1f}%, anemia "
                     "{anemia:.1f}%."),
    "today_running": ("Simulando la historia 2000-2019… {percent}%",
                      "Simulating the 2000-2019 history… {percent}%"),
    "today_failed": ("No se pudo simular la historia: {error}",
                     "The history could not be simulated: {error}"),
    "today_caption": ("situación actual, fin de 2019", "status quo, end of 2019"),
    "anemia_note_who2011": ("Anemia: Hb < 11 g/dL con el ajuste por altitud del CDC, como "
                            "ENDES hasta 2023.",
                            "Anemia: Hb < 11 g/dL with the CDC altitude adjustment, as ENDES "
                            "until 2023."),
    "anemia_note_who2024": ("Anemia: puntos de corte de la OMS de 2024 (10.5 g/dL de 6 a 23 "
                            "meses) con su ajuste por altitud, como el MINSA desde 2024; las "
                            "cifras de ENDES que se muestran usan el criterio anterior.",
                            "Anemia: WHO 2024 cut-offs (10.5 g/dL at 6-23 months) with their "
                            "altitude adjustment, as MINSA from 2024; the ENDES figures shown "
                            "use the earlier definition."),
    "anemia_note_peru": ("Anemia: Hb < 11 g/dL con la corrección por altitud propia del Perú "
                         "(INS); las cifras de ENDES que se muestran usan el ajuste del CDC.",
                         "Anemia: Hb < 11 g/dL with Peru's own altitude correction (INS); the "
                         "ENDES figures shown use the CDC adjustment."),
    "history_title": ("Historia 2000-2019: el modelo frente a la ENDES",
                      "History 2000-2019: the model against ENDES"),
    "history_hint": ("Puntos rojos: la ENDES (en julio de cada año, con su intervalo de muestreo "
                     "de 90% cuando se conoce el tamaño de la muestra); línea gris: el modelo, "
                     "mes a mes. Pase el cursor por un punto para ver la cifra de la encuesta y "
                     "la del modelo.",
                     "Red points: ENDES (in July of each year, with its 90% sampling interval "
                     "where the sample size is known); grey line: the model, month by month. "
                     "Hover over a point for the survey's figure and the model's."),
    "survey": ("ENDES", "ENDES"),
    "survey_interval_name": ("ENDES, intervalo 90%", "ENDES, 90% interval"),
    "model_history": ("Modelo", "Model"),
    "survey_point": ("ENDES {year}: {value:.1f}%; modelo (julio): {model:.1f}%",
                     "ENDES {year}: {value:.1f}%; model (July): {model:.1f}%"),
    "survey_interval": ("intervalo de muestreo de 90%: {low:.1f} – {high:.1f}%",
                        "90% sampling interval: {low:.1f} – {high:.1f}%"),
    # equity
    "equity": ("Equidad", "Equity"),
    "group": ("Grupo", "Group"),
    "urban": ("Urbano", "Urban"),
    "rural": ("Rural", "Rural"),
    "Costa": ("Costa", "Coast"),
    "Sierra": ("Sierra", "Highlands"),
    "Selva": ("Selva", "Amazon"),
    "quintile": ("Quintil {q}", "Quintile {q}"),
    "quintile_poorest": ("Quintil 1 (el más pobre)", "Quintile 1 (poorest)"),
    "quintile_richest": ("Quintil 5 (el más rico)", "Quintile 5 (richest)"),
    "national": ("Total", "Total"),
    "equity_hint": ("Barras: medianas; líneas negras: intervalo 90%. En la tabla, el intervalo "
                    "va entre paréntesis.",
                    "Bars: medians; black lines: 90% interval. In the table the interval is in "
                    "brackets."),
    # downloads
    "downloads": ("Descargas", "Downloads"),
    "download_csv": ("Resultados (CSV)", "Results (CSV)"),
    "download_summary": ("Resumen (CSV)", "Summary (CSV)"),
    "download_xlsx": ("Resumen (Excel)", "Summary (Excel)"),
    "download_png": ("Gráfico de trayectorias (PNG)", "Trajectory chart (PNG)"),
    "download_map_png": ("Mapa (PNG)", "Map (PNG)"),
    "download_equity_png": ("Gráfico de equidad (PNG)", "Equity chart (PNG)"),
    "download_title": ("{region}, simulado: {policy} frente a {reference}",
                       "{region}, simulated: {policy} vs. {reference}"),
    "download_note": ("Resultados simulados por el modelo, no observados · {interval} · "
                      "{n} simulaciones · generado el {date}",
                      "Results simulated by the model, not observed · {interval} · {n} runs · "
                      "made on {date}"),
    "policy_file": ("Política «{file}»", "Policy “{file}”"),
    "policy_file_changed": ("Política «{file}» con cambios", "Policy “{file}” with changes"),
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


def tr(key: str, lang: str, **values) -> str:
    """The text ``key`` in ``lang`` with ``values`` formatted in."""
    text = TEXT[key][LANGUAGES.index(lang)]
    return text.format(**values) if values else text


# The locale of each page language: Babel formats numbers with CLDR's data for it (es-PE
# groups thousands with "," and writes decimals with ".", as INEI does).
LOCALES = {"es": "es_PE", "en": "en_US"}


def number(value: float, lang: str, digits: int = 1, sign: bool = False) -> str:
    """``value`` with ``digits`` decimals in the page's locale; ``sign`` shows + and -.

    NaN gives "–"; a value that rounds to zero is shown without a sign ("0.0", not "-0.0").
    """
    from babel.numbers import format_decimal

    if value != value:  # NaN
        return "–"
    pattern = "#,##0" + ("." + "0" * digits if digits > 0 else "")
    rounded = round(float(value), digits)
    if rounded == 0:
        rounded = 0.0
    if sign and rounded != 0:
        pattern = f"+{pattern};-{pattern}"
    return format_decimal(rounded, format=pattern, locale=LOCALES[lang])


def interval(median: float, low: float, high: float, lang: str, digits: int = 1,
             sign: bool = False, scale: float = 1.0) -> str:
    """"median (low – high)" in the page's locale, each divided by ``scale``."""
    low, high = (number(x / scale, lang, digits, sign) for x in (low, high))
    return f"{number(median / scale, lang, digits, sign)} ({low} – {high})"
